import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
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
} from 'class-validator';
import { NormalizedName, VisibleText } from '../../../core/text';
import { AUTOMATION_RUN_STATUSES, type AutomationRunStatus } from '../automation.entity';
import { TRIGGER_TYPES } from '../automation-rules';

const ENTITY_TYPE = /^[a-z][a-z0-9-]{0,49}$/;

export class CreateAutomationRuleDto {
  @NormalizedName()
  @ApiProperty({ minLength: 1, maxLength: 100, example: 'Flag active products' })
  @IsString()
  @Length(1, 100)
  name: string;

  @VisibleText()
  @ApiPropertyOptional({ type: String, nullable: true, minLength: 1, maxLength: 1000 })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsString()
  @Length(1, 1000)
  description?: string | null;

  @ApiProperty({
    description:
      'The records the rule watches: an entity type with conditions and `update_record` (`product`, `contact`; else 422 `unknown_entity_type`). Immutable.',
    example: 'product',
  })
  @Matches(ENTITY_TYPE, { message: 'entityType must be an entity type such as product' })
  entityType: string;

  @ApiProperty({
    description: `When the rule fires: \`{type}\` with type one of ${TRIGGER_TYPES.join(', ')}; \`field.changed\` takes \`field\` and optional \`to\` (the new value, checked in SQL), \`workflow.transitioned\` optional \`action\`/\`to\`, \`date_relative\` a date \`field\` and \`offsetDays\` (−365…365; fires once per record and day), \`schedule\` a UTC \`cron\` whose runs are at least 5 minutes apart. Schemas in GET /automation/catalog; a bad trigger → 422 at /trigger/...`,
    type: 'object',
    additionalProperties: true,
    example: { type: 'field.changed', field: 'status', to: 'active' },
  })
  @IsObject()
  trigger: Record<string, unknown>;

  @ApiPropertyOptional({
    description:
      'The filter grammar (as `?filter=` of the entity type’s list) that must hold for the record when the rule fires, evaluated in SQL; null: always. A bad one → 422 `invalid_filter` (`source.parameter: condition`, `meta.path`).',
    type: 'object',
    additionalProperties: true,
    nullable: true,
    example: { field: 'price', op: 'gte', value: '10' },
  })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsObject()
  condition?: Record<string, unknown> | null;

  @ApiProperty({
    description:
      'Ordered actions `[{type, params}]` (1–20), run in order, stopping at the first failure. `type` names an action of GET /automation/catalog (else 422 `unknown_action`); `params` must match its `paramsSchema` (else 422 at /actions/<i>/params/...).',
    type: 'array',
    items: { type: 'object', additionalProperties: true },
    example: [{ type: 'add_tag', params: { names: ['vip'] } }],
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @IsObject({ each: true })
  actions: Record<string, unknown>[];

  @ApiPropertyOptional({
    format: 'uuid',
    description:
      'Who the actions run as (permissions checked again at each run): an active member of this organization (else 422 `invalid_run_as_user`); default: the creator',
  })
  @IsOptional()
  @IsUUID()
  runAsUserId?: string;

  @ApiPropertyOptional({ default: true }) @IsOptional() @IsBoolean() enabled?: boolean;

  @ApiPropertyOptional({
    minimum: 0,
    maximum: 86400,
    default: 0,
    description: 'Seconds between the trigger and the run',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(86400)
  delaySeconds?: number;
}

/** Every field optional; `entityType` may change only with a condition and actions valid for it. */
export class UpdateAutomationRuleDto extends PartialType(CreateAutomationRuleDto) {}

export class AutomationRuleDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ type: String, nullable: true }) description: string | null;
  @ApiProperty() entityType: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) trigger: Record<string, unknown>;
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true })
  condition: Record<string, unknown> | null;
  @ApiProperty({ type: 'array', items: { type: 'object', additionalProperties: true } })
  actions: { type: string; params: Record<string, unknown> }[];
  @ApiProperty({ format: 'uuid' }) runAsUserId: string;
  @ApiProperty({ format: 'uuid', type: String, nullable: true }) createdByUserId: string | null;
  @ApiProperty() enabled: boolean;
  @ApiProperty() delaySeconds: number;
  @ApiProperty({ description: 'Failed runs in a row (10 disable the rule)' })
  consecutiveFailures: number;
  @ApiProperty({ type: String, nullable: true, description: 'Why the system disabled the rule' })
  disabledReason: string | null;
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;
  @ApiProperty() version: number;
}

export class RuleTargetDto {
  @ApiProperty({
    format: 'uuid',
    description: 'A record of the rule’s entity type in this organization (else 404)',
  })
  @IsUUID()
  entityId: string;
}

export class ManualRunDto {
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'The record to run on (of the rule’s entity type; else 404); none: no record',
  })
  @IsOptional()
  @IsUUID()
  entityId?: string;
}

export class StepDto {
  @ApiProperty() action: string;
  @ApiProperty({ enum: ['succeeded', 'failed', 'skipped'] }) status: string;
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true })
  output: Record<string, unknown> | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description: 'The error envelope entry (code, detail) when the step failed',
  })
  error: Record<string, unknown> | null;
  @ApiPropertyOptional() startedAt?: string;
  @ApiPropertyOptional() finishedAt?: string;
}

export class RuleTestResultDto {
  @ApiProperty({ description: 'Whether the condition holds for the record now' })
  matched: boolean;
  @ApiProperty({
    type: [StepDto],
    description: 'Each action’s preview (nothing written); empty when not matched',
  })
  steps: StepDto[];
}

export class RunStartedDto {
  @ApiProperty({ format: 'uuid', description: 'GET /automation-runs/{runId}' }) runId: string;
}

export class AutomationRunDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) ruleId: string;
  @ApiProperty() ruleVersion: number;
  @ApiProperty({ format: 'uuid', description: 'The triggering event (a fresh id for manual runs)' })
  eventId: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) trigger: Record<string, unknown>;
  @ApiProperty({ type: String, nullable: true }) entityType: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'uuid' }) entityId: string | null;
  @ApiProperty({ enum: AUTOMATION_RUN_STATUSES }) status: AutomationRunStatus;
  @ApiProperty({ type: [StepDto] }) steps: StepDto[];
  @ApiProperty() causationDepth: number;
  @ApiProperty() attempts: number;
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true })
  error: Record<string, unknown> | null;
  @ApiProperty() createdAt: string;
  @ApiProperty({ type: String, nullable: true }) finishedAt: string | null;
}

export class CatalogTriggerDto {
  @ApiProperty({ enum: TRIGGER_TYPES }) type: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) schema: Record<string, unknown>;
}

export class CatalogActionDto {
  @ApiProperty() name: string;
  @ApiProperty() description: string;
  @ApiProperty({ type: 'object', additionalProperties: true })
  paramsSchema: Record<string, unknown>;
}

export class AutomationCatalogDto {
  @ApiProperty({ type: [String], description: 'Entity types rules may name' })
  entityTypes: string[];
  @ApiProperty({ type: [CatalogTriggerDto] }) triggers: CatalogTriggerDto[];
  @ApiProperty({ type: [CatalogActionDto] }) actions: CatalogActionDto[];
}
