import { Injectable, Module } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/**
 * Whether an organization's records of one type use a status `code` (inside the caller's tenant
 * transaction). Registered by the module owning the records: products answer whether a product's
 * `status` equals the code.
 */
export type StatusUsageCheck = (
  manager: EntityManager,
  orgId: string,
  code: string,
) => Promise<boolean>;

/**
 * The registry the statuses module asks before deleting a status (SPEC-P3 §1: a status in use
 * cannot be deleted, 409 `status_in_use`). Owners register from `onModuleInit`; the statuses
 * module never queries their tables itself. Registering a type twice is a wiring bug and throws.
 */
@Injectable()
export class StatusUsage {
  private readonly checks = new Map<string, StatusUsageCheck>();

  /** Adds the check of `entityType` (throws when it is already registered). */
  register(entityType: string, check: StatusUsageCheck): void {
    if (this.checks.has(entityType)) {
      throw new Error(`StatusUsage: "${entityType}" is registered twice`);
    }
    this.checks.set(entityType, check);
  }

  /**
   * The entity types whose records use `code` in the organization: only `entityType`'s when it is
   * given, every registered type's when null (a status that applies to any type). Empty: unused.
   */
  async usedBy(
    manager: EntityManager,
    orgId: string,
    entityType: string | null,
    code: string,
  ): Promise<string[]> {
    const types = entityType === null ? [...this.checks.keys()] : [entityType];
    const used: string[] = [];
    for (const type of types) {
      const check = this.checks.get(type);
      if (check && (await check(manager, orgId, code))) used.push(type);
    }
    return used;
  }
}

/** Provides the one {@link StatusUsage}: imported by the statuses module and by every registrant. */
@Module({ providers: [StatusUsage], exports: [StatusUsage] })
export class StatusUsageModule {}
