import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length, Matches } from 'class-validator';
import { VisibleText } from '../../../core/text';
import { SLUG } from './workflow.dto';

/** `POST /workflow-instances/{entityType}/{entityId}/transitions` body. */
export class ApplyTransitionDto {
  @ApiProperty({
    description: 'An action of the record’s workflow (unknown → 422 `unknown_action`)',
    pattern: SLUG.source,
    example: 'approve',
  })
  @Matches(SLUG, { message: 'action must be an action name such as approve' })
  action: string;

  @VisibleText()
  @ApiPropertyOptional({
    minLength: 1,
    maxLength: 2000,
    description:
      'Kept in the history (or on the approval); required when the transition says so (422 at `/comment`)',
  })
  @IsOptional()
  @IsString()
  @Length(1, 2000)
  comment?: string;
}

export class WorkflowHistoryDto {
  @ApiProperty() action: string;
  @ApiProperty() from: string;
  @ApiProperty() to: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) actorUserId: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) actorApiKeyId: string | null;
  @ApiProperty({ type: String, nullable: true }) comment: string | null;
  @ApiProperty({ format: 'date-time' }) at: string;
}

export class WorkflowActionDto {
  @ApiProperty() action: string;
  @ApiProperty({ description: 'The state it leads to' }) to: string;
  @ApiProperty() requireComment: boolean;
  @ApiProperty() minApprovals: number;
  @ApiProperty({ description: 'Approvals recorded during this entry into the state' })
  approvals: number;
  @ApiProperty({ description: 'The caller already approved it in this state' })
  approvedByYou: boolean;
  @ApiProperty({
    description:
      'Whether the caller’s call would record an approval rather than fire it (approvals + 1 < minApprovals)',
  })
  needsMoreApprovals: boolean;
}

export class WorkflowInstanceDto {
  @ApiProperty() entityType: string;
  @ApiProperty({ format: 'uuid' }) entityId: string;
  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description:
      'Null until the first transition starts the instance (the record shows the initial state)',
  })
  instanceId: string | null;
  @ApiProperty({ format: 'uuid' }) workflowId: string;
  @ApiProperty({
    description: 'The revision the record runs on (kept when a newer one is activated)',
  })
  workflowRevision: number;
  @ApiProperty({ description: 'The current state code' }) state: string;
  @ApiProperty() isFinal: boolean;
  @ApiProperty({ description: 'Whether the caller’s roles may edit the record in this state' })
  editable: boolean;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) startedBy: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) startedAt: string | null;
  @ApiProperty({ type: [WorkflowHistoryDto] }) history: WorkflowHistoryDto[];
  @ApiProperty({ type: [WorkflowActionDto], description: 'What the caller may do now' })
  actions: WorkflowActionDto[];
  @ApiProperty({ description: 'Instance version for If-Match (0 before the instance starts)' })
  version: number;
}

export class PendingWorkflowActionDto {
  @ApiProperty({ format: 'uuid' }) instanceId: string;
  @ApiProperty() entityType: string;
  @ApiProperty({ format: 'uuid' }) entityId: string;
  @ApiProperty({ format: 'uuid' }) workflowId: string;
  @ApiProperty() state: string;
  @ApiProperty() action: string;
  @ApiProperty() minApprovals: number;
  @ApiProperty() approvals: number;
  @ApiProperty({ format: 'date-time' }) startedAt: string;
}
