/** Queue names. A queue is a lane of work; a job name inside it says what to do. */
export const SYSTEM_QUEUE = 'system';
/**
 * Background jobs started by users (`POST` → 202 `{ taskId }`), tracked at `GET /api/v1/tasks/{id}`
 * (SPEC §7 names the route and the `taskId` field: the public API keeps "task"). The Redis queue
 * keeps its name `tasks` so jobs queued before the rename are still found.
 */
export const JOBS_QUEUE = 'tasks';

export const SystemJobs = {
  /** Round trip proving the API (producer) and the worker (consumer) share code and Redis. */
  ping: 'system.ping',
} as const;

export interface PingJobData {
  requestedAt: string;
  requestId?: string;
  /** The organization the ping was requested in: only it may read the job's state. */
  organizationId?: string;
}

export interface PingJobResult {
  pong: true;
  requestedAt: string;
  processedAt: string;
  processedBy: 'worker';
  pid: number;
}
