import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Max,
  Min,
  Validate,
  ValidatorConstraint,
  ValidatorConstraintInterface,
} from 'class-validator';
import { SCHEDULABLE_TASK_NAMES } from '../schedulable-jobs';
import { isValidCron } from '../schedule-rules';
import { NormalizedName } from '../../../core/text';

@ValidatorConstraint({ name: 'cron' })
class CronExpression implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return typeof value === 'string' && value.length <= 100 && isValidCron(value);
  }
  defaultMessage(): string {
    return 'cron must be a cron expression like "*/15 * * * *" (UTC)';
  }
}

export class CreateScheduleDto {
  @NormalizedName()
  @ApiProperty({ example: 'Nightly stock check' })
  @IsString()
  @Length(1, 100)
  name: string;

  @ApiProperty({ enum: SCHEDULABLE_TASK_NAMES }) @IsIn(SCHEDULABLE_TASK_NAMES) taskName: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, default: {} })
  @IsOptional()
  @IsObject()
  payload?: Record<string, unknown>;

  @ApiPropertyOptional({
    example: '0 3 * * *',
    description: 'Cron (UTC); give this or intervalSeconds',
  })
  @IsOptional()
  @Validate(CronExpression)
  cron?: string;

  @ApiPropertyOptional({ example: 3600, description: 'Fixed interval; give this or cron' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(31 * 86400)
  intervalSeconds?: number;

  @ApiPropertyOptional({ default: true }) @IsOptional() @IsBoolean() enabled?: boolean;
}

export class UpdateScheduleDto extends PartialType(CreateScheduleDto) {}

export class ScheduleDto {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty() taskName: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) payload: Record<string, unknown>;
  @ApiProperty({ type: String, nullable: true }) cron: string | null;
  @ApiProperty({ type: Number, nullable: true }) intervalSeconds: number | null;
  @ApiProperty() enabled: boolean;
  @ApiProperty({ type: String, nullable: true }) lastRunAt: string | null;
  @ApiProperty({ type: String, nullable: true }) lastTaskId: string | null;
  @ApiProperty({ type: String, nullable: true }) nextRunAt: string | null;
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;
  @ApiProperty() version: number;
}
