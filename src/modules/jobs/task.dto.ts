import { ApiProperty } from '@nestjs/swagger';
import { ErrorEnvelopeDto } from '../../core/http';

export const TASK_STATES = ['queued', 'active', 'completed', 'failed'] as const;
export type TaskState = (typeof TASK_STATES)[number];

export class TaskStartedDto {
  @ApiProperty({ description: 'Poll GET /api/v1/tasks/{taskId}' }) taskId: string;
}

export class TaskDto {
  @ApiProperty() id: string;
  @ApiProperty({ example: 'stock.reconcile' }) name: string;
  @ApiProperty({ enum: TASK_STATES, description: 'queued also covers waiting for a retry' })
  state: TaskState;
  @ApiProperty({ minimum: 0, maximum: 100 }) progress: number;
  @ApiProperty({ description: 'Attempts made so far (failed ones included)' }) attempts: number;
  @ApiProperty() maxAttempts: number;
  @ApiProperty({ nullable: true, description: 'What the task returned, once completed' })
  result: unknown;
  @ApiProperty({
    type: ErrorEnvelopeDto,
    nullable: true,
    description:
      'The last failure, as the API error envelope: a stable code and a translated detail (never raw database or stack text)',
  })
  error: ErrorEnvelopeDto | null;
  @ApiProperty() createdAt: string;
  @ApiProperty({ type: String, nullable: true }) startedAt: string | null;
  @ApiProperty({ type: String, nullable: true }) finishedAt: string | null;
}
