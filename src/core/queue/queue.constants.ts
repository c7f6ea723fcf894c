/** Queue names. A queue is a lane of work; a job name inside it says what to do. */
export const SYSTEM_QUEUE = 'system';
/** Tasks started by users (`POST` → 202 `{ taskId }`), tracked at `GET /api/v1/tasks/{id}`. */
export const TASKS_QUEUE = 'tasks';

export const SystemJobs = {
  /** Round trip proving the API (producer) and the worker (consumer) share code and Redis. */
  ping: 'system.ping',
} as const;

export interface PingJobData {
  requestedAt: string;
  requestId?: string;
}

export interface PingJobResult {
  pong: true;
  requestedAt: string;
  processedAt: string;
  processedBy: 'worker';
  pid: number;
}
