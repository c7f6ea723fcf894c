/** Queue names. A queue is a lane of work; a job name inside it says what to do. */
export const SYSTEM_QUEUE = 'system';

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
