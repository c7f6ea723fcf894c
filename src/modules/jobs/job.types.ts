import type { EntityManager } from 'typeorm';

/**
 * A kind of task, shared by the producer (API) and the consumer (worker): the name routes the job,
 * `P` types its payload. Retries: `attempts` (default 4) with exponential backoff from `backoffMs`.
 */
export interface JobDefinition<P extends object = object> {
  name: string;
  attempts?: number;
  backoffMs?: number;
  /**
   * Whether the job may run for an archived organization (organizations README: an archived
   * organization is read-only). Default false: a job queued before the archive fails with 403
   * `organization_archived` when it comes up, without retries. Set only on jobs that write nothing
   * to the organization's data (exports).
   */
  runsWhenArchived?: boolean;
  /** Phantom field carrying the payload type; never set. */
  readonly payload?: P;
}

export const defineJob = <P extends object>(
  definition: Omit<JobDefinition<P>, 'payload'>,
): JobDefinition<P> => definition;

/** What a job carries in Redis. */
export interface JobData<P extends object = object> {
  name: string;
  payload: P;
  organizationId: string;
  userId: string | null;
  apiKeyId: string | null;
  requestId: string | null;
}

export interface JobContext<P extends object> {
  taskId: string;
  payload: P;
  organizationId: string;
  userId: string | null;
  /** 1 for the first run, 2 for the first retry, ... */
  attempt: number;
  /** Reports progress 0–100 (shown by `GET /tasks/{id}`). */
  progress(percent: number): Promise<void>;
  /**
   * Runs `work` at most once per `key` across retries and redeliveries: the key is claimed in the
   * same transaction as the work, so a retried job skips side effects it already committed and
   * gets the stored result back.
   */
  once<T>(key: string, work: (manager: EntityManager) => Promise<T>): Promise<T>;
}

/** The worker side of a task definition. Register it with `JobRegistry` on module init. */
export interface JobHandler<P extends object = object, R = unknown> {
  readonly definition: JobDefinition<P>;
  run(context: JobContext<P>): Promise<R>;
}
