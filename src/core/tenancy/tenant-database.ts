import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { withTenantRead } from './tenant-read';
import { inTransaction, withTenant } from './tenant-transaction';

/**
 * The paths that may legitimately run a transaction as the owner, outside row-level security:
 * the rows they touch span organizations, or belong to none yet. Named from what the modules do
 * outside `withTenant` today (issue 16); a new path needs a new, reviewed name here.
 */
export const SYSTEM_ACCESS_REASONS = [
  /** Resolving the caller (session user, API key) before an organization is known. */
  'auth-guard',
  /** Login, tokens, sessions, password resets, signup: a user spans organizations. */
  'authentication',
  /** Permission resolution across an organization's tree and its memberships. */
  'access',
  /** Users, memberships, roles, organizations, invitations: the identity tables across tenants. */
  'identity-directory',
  /** Global reference tables: currencies, units of measure, organization types, feature flags. */
  'reference-data',
  /** The system audit chain (events with no organization) and chain verification. */
  'audit-chain',
  /** The scheduler claiming due schedules of every organization. */
  'scheduler',
  /** The outbox relay consuming events of every organization. */
  'outbox-relay',
  /** Search indexing and reindexing over every organization's documents. */
  'search-index',
  /** Background-job bookkeeping and import/export runs started by the job runner. */
  'background-jobs',
  /** Creating a tenant: its root organization does not exist yet. */
  'tenant-provisioning',
  /** Exporting and erasing a whole tenant (an organization tree). */
  'tenant-offboarding',
  /** Migrations, seeders and the admin CLI. */
  'migrations-seeding',
  /** The webhook dispatcher claiming due deliveries of every organization (worker). */
  'webhook-delivery',
] as const;

/** One of {@link SYSTEM_ACCESS_REASONS}. */
export type SystemAccessReason = (typeof SYSTEM_ACCESS_REASONS)[number];

/**
 * The one way module code reaches tenant data. `run(organizationId, work)` is `withTenant`: a
 * transaction as role `alees_tenant` with `app.current_org` set, so row-level security limits
 * every statement to that organization (a missing or malformed id throws
 * `TenantContextMissingError`: fail closed). `runAsSystem(reason, work)` is a plain transaction as
 * the pool's owner role, which row-level security does not restrict (see README.md in this
 * folder), for the named cross-tenant paths only; it logs the reason at debug level. Both commit
 * when `work` resolves and roll back when it throws (the error propagates unchanged).
 */
@Injectable()
export class TenantDatabase {
  private readonly logger = new Logger(TenantDatabase.name);

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** `work` in a transaction that sees and writes only `organizationId`'s rows. */
  run<T>(
    organizationId: string | null | undefined,
    work: (manager: EntityManager) => Promise<T>,
  ): Promise<T> {
    return withTenant(this.dataSource, organizationId, work);
  }

  /**
   * Read-only `work` that sees only `organizationId`'s rows, in one PostgreSQL round trip per
   * statement (no `BEGIN`/`COMMIT`; see `withTenantRead`): the read path of lists and gets.
   * Writes and locking reads fail (read-only); use `run` for anything that must see its own writes
   * or hold a lock.
   */
  read<T>(
    organizationId: string | null | undefined,
    work: (manager: EntityManager) => Promise<T>,
  ): Promise<T> {
    return withTenantRead(this.dataSource, organizationId, work);
  }

  /**
   * `work` in a transaction as the owner (every organization's rows). `reason` must be one of
   * {@link SYSTEM_ACCESS_REASONS}; anything else (e.g. a cast string) throws before connecting.
   * Hooks registered with `afterCommit` run once the transaction committed.
   */
  async runAsSystem<T>(
    reason: SystemAccessReason,
    work: (manager: EntityManager) => Promise<T>,
  ): Promise<T> {
    if (!(SYSTEM_ACCESS_REASONS as readonly string[]).includes(reason)) {
      throw new Error(`Not a system access reason: ${String(reason)}`);
    }
    this.logger.debug(`system transaction (${reason})`);
    return inTransaction(this.dataSource, 'BEGIN', work);
  }
}
