import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { NormalizedName } from '../../../core/text';
import { WORKFLOW_STATUSES, type WorkflowStatus } from '../workflow.entity';

export const SLUG = /^[a-z][a-z0-9_]{0,49}$/;
const SLUG_MESSAGE = (name: string) => ({
  message: `${name} must be a slug: a lower-case letter, then a-z, 0-9 or _ (at most 50)`,
});
const ENTITY_TYPE = /^[a-z][a-z0-9-]{0,49}$/;

/** One state of a definition. */
export class WorkflowStateInputDto {
  @ApiProperty({
    description:
      'A status code (`GET /statuses?entityType=`) active for the workflow’s entity type (checked on activate); unique in the workflow',
    pattern: SLUG.source,
    example: 'pending_approval',
  })
  @Matches(SLUG, SLUG_MESSAGE('code'))
  code: string;

  @ApiPropertyOptional({
    description: 'Records start here; exactly one per workflow (on activate)',
    default: false,
  })
  @IsOptional()
  @IsBoolean()
  isInitial?: boolean;

  @ApiPropertyOptional({ description: 'No transition may leave it (on activate)', default: false })
  @IsOptional()
  @IsBoolean()
  isFinal?: boolean;

  @ApiPropertyOptional({
    type: [String],
    format: 'uuid',
    maxItems: 50,
    default: [],
    description:
      'Roles whose holders may edit the record (PATCH, DELETE, tags, custom fields, imports) while it is in this state; empty (the default) = nobody: the record is locked (409 `locked_by_workflow`). Roles must exist in the organization (on activate)',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsUUID('all', { each: true })
  editRoleIds?: string[];
}

/** One transition of a definition (states named by code). */
export class WorkflowTransitionInputDto {
  @ApiProperty({
    description: 'The verb callers send; unique per source state',
    pattern: SLUG.source,
    example: 'approve',
  })
  @Matches(SLUG, SLUG_MESSAGE('action'))
  action: string;

  @ApiProperty({ description: 'Source state code (one of `states`)', pattern: SLUG.source })
  @Matches(SLUG, SLUG_MESSAGE('from'))
  from: string;

  @ApiProperty({ description: 'Target state code (one of `states`)', pattern: SLUG.source })
  @Matches(SLUG, SLUG_MESSAGE('to'))
  to: string;

  @ApiPropertyOptional({
    type: [String],
    format: 'uuid',
    maxItems: 50,
    default: [],
    description:
      'Roles whose holders may take it (else 403 `transition_not_allowed`); empty = anyone who can read the record. Roles must exist (on activate)',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsUUID('all', { each: true })
  allowedRoleIds?: string[];

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description:
      'A filter-grammar document (`?filter=` of the entity type’s list) the record must match (else 409 `transition_condition_not_met`); checked when saved (422 `invalid_workflow` at `/transitions/<i>/condition`)',
  })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsObject()
  condition?: Record<string, unknown> | null;

  @ApiPropertyOptional({
    description: 'A comment must come with it (else 422 at `/comment`)',
    default: false,
  })
  @IsOptional()
  @IsBoolean()
  requireComment?: boolean;

  @ApiPropertyOptional({
    description:
      'Whether the user who created the record or started its workflow may take it (false → 403 `self_approval_not_allowed`)',
    default: true,
  })
  @IsOptional()
  @IsBoolean()
  allowSelfApproval?: boolean;

  @ApiPropertyOptional({
    minimum: 1,
    maximum: 10,
    default: 1,
    description:
      'Distinct approvers (users) needed before it fires; each call below that records an approval',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10)
  minApprovals?: number;
}

export class CreateWorkflowDto {
  @ApiProperty({
    description:
      'A registered entity type workflows can govern (`product`, `contact`; else 422 `unknown_entity_type`)',
    example: 'product',
  })
  @Matches(ENTITY_TYPE, { message: 'entityType must be an entity type such as product' })
  entityType: string;

  @NormalizedName()
  @ApiProperty({ minLength: 1, maxLength: 100, example: 'Purchase approval' })
  @IsString()
  @Length(1, 100)
  name: string;

  @ApiProperty({ type: [WorkflowStateInputDto], minItems: 1, maxItems: 50 })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => WorkflowStateInputDto)
  states: WorkflowStateInputDto[];

  @ApiProperty({ type: [WorkflowTransitionInputDto], maxItems: 200 })
  @IsArray()
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => WorkflowTransitionInputDto)
  transitions: WorkflowTransitionInputDto[];
}

/** A draft's changes; `states` and `transitions` replace the graph (send both, or neither). */
export class UpdateWorkflowDto {
  @NormalizedName()
  @ApiPropertyOptional({ minLength: 1, maxLength: 100 })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  name?: string;

  @ApiPropertyOptional({ type: [WorkflowStateInputDto], minItems: 1, maxItems: 50 })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => WorkflowStateInputDto)
  states?: WorkflowStateInputDto[];

  @ApiPropertyOptional({ type: [WorkflowTransitionInputDto], maxItems: 200 })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => WorkflowTransitionInputDto)
  transitions?: WorkflowTransitionInputDto[];
}

export class WorkflowStateDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() code: string;
  @ApiProperty() isInitial: boolean;
  @ApiProperty() isFinal: boolean;
  @ApiProperty({ type: [String], format: 'uuid' }) editRoleIds: string[];
}

export class WorkflowTransitionDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() action: string;
  @ApiProperty() from: string;
  @ApiProperty() to: string;
  @ApiProperty({ type: [String], format: 'uuid' }) allowedRoleIds: string[];
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true })
  condition: Record<string, unknown> | null;
  @ApiProperty() requireComment: boolean;
  @ApiProperty() allowSelfApproval: boolean;
  @ApiProperty() minApprovals: number;
}

export class WorkflowDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() entityType: string;
  @ApiProperty() name: string;
  @ApiProperty({ description: 'Numbers the definitions of this entity type: 1, 2, …' })
  revision: number;
  @ApiProperty({ enum: WORKFLOW_STATUSES }) status: WorkflowStatus;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) activatedAt: string | null;
  @ApiProperty({ type: [WorkflowStateDto] }) states: WorkflowStateDto[];
  @ApiProperty({ type: [WorkflowTransitionDto] }) transitions: WorkflowTransitionDto[];
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
  @ApiProperty({ description: 'Row version (ETag / If-Match)' }) version: number;
}
