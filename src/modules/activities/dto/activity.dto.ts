import { VisibleText } from '../../../core/text';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  Validate,
  ValidatorConstraint,
  ValidatorConstraintInterface,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  ValidateIf,
} from 'class-validator';
import { ACTIVITY_STATES, ACTIVITY_TYPES, ActivityState, ActivityType } from '../activity-state';

/** A real calendar day `YYYY-MM-DD` (2026-02-30 is refused). */
@ValidatorConstraint({ name: 'isCalendarDate' })
class CalendarDate implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
    const date = new Date(`${value}T00:00:00Z`);
    return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
  }

  defaultMessage(): string {
    return 'dueDate must be a calendar date YYYY-MM-DD';
  }
}

const ENTITY_TYPE = /^[a-z][a-z0-9-]{0,49}$/;
const STATE =
  'Derived in the organization’s time zone (UTC when it has none): overdue (due before today), today, planned (due later), done';
const ASSIGNEE =
  'An active member who can read the target (else 422 `invalid_assignee`); null: nobody';

/** `GET /activities`: one target's activities. */
export class ActivityQueryDto {
  @ApiProperty({ description: 'A registered target type; unknown → 404', example: 'product' })
  @Matches(ENTITY_TYPE, { message: 'entityType must be a target type such as product' })
  entityType: string;
  @ApiProperty({ format: 'uuid' }) @IsUUID() entityId: string;
  @ApiPropertyOptional({ enum: ACTIVITY_STATES, description: STATE })
  @IsOptional()
  @IsIn(ACTIVITY_STATES)
  state?: ActivityState;
  @ApiPropertyOptional({ format: 'uuid', description: 'Only those assigned to this user' })
  @IsOptional()
  @IsUUID()
  assignee?: string;
}

/** `GET /me/activities`: the caller's. */
export class MyActivityQueryDto {
  @ApiPropertyOptional({ enum: ACTIVITY_STATES, description: STATE })
  @IsOptional()
  @IsIn(ACTIVITY_STATES)
  state?: ActivityState;
}

export class CreateActivityDto {
  @ApiProperty({ description: 'A registered target type; unknown → 404', example: 'product' })
  @Matches(ENTITY_TYPE, { message: 'entityType must be a target type such as product' })
  entityType: string;
  @ApiProperty({ format: 'uuid' }) @IsUUID() entityId: string;
  @ApiProperty({ enum: ACTIVITY_TYPES }) @IsIn(ACTIVITY_TYPES) type: ActivityType;
  @VisibleText()
  @ApiProperty({ minLength: 1, maxLength: 200 })
  @IsString()
  @Length(1, 200)
  summary: string;
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 10000 })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsString()
  @Length(0, 10000)
  note?: string | null;
  @ApiProperty({ format: 'date', example: '2026-01-31' })
  @Validate(CalendarDate)
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'dueDate must be a date YYYY-MM-DD' })
  dueDate: string;
  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true, description: ASSIGNEE })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsUUID()
  assigneeUserId?: string | null;
}

export class UpdateActivityDto {
  @ApiPropertyOptional({ enum: ACTIVITY_TYPES })
  @IsOptional()
  @IsIn(ACTIVITY_TYPES)
  type?: ActivityType;
  @VisibleText()
  @ApiPropertyOptional({ minLength: 1, maxLength: 200 })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  summary?: string;
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 10000 })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsString()
  @Length(0, 10000)
  note?: string | null;
  @ApiPropertyOptional({ format: 'date', example: '2026-01-31' })
  @IsOptional()
  @Validate(CalendarDate)
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'dueDate must be a date YYYY-MM-DD' })
  dueDate?: string;
  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true, description: ASSIGNEE })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsUUID()
  assigneeUserId?: string | null;
}

export class ActivityDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() entityType: string;
  @ApiProperty({ format: 'uuid' }) entityId: string;
  @ApiProperty({ enum: ACTIVITY_TYPES }) type: ActivityType;
  @ApiProperty() summary: string;
  @ApiProperty({ type: String, nullable: true }) note: string | null;
  @ApiProperty({ format: 'date' }) dueDate: string;
  @ApiProperty({ enum: ACTIVITY_STATES, description: STATE }) state: ActivityState;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) assigneeUserId: string | null;
  @ApiProperty({ type: String, nullable: true }) doneAt: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) doneBy: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) createdBy: string | null;
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;
  @ApiProperty() version: number;
}
