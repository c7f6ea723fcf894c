import { Injectable, Type } from '@nestjs/common';
import type { AuditContext, Principal } from '../auth';
import type { ListDefinition } from '../http/list-query';

/**
 * How automation reaches one entity type's records (issue 19): its list definition and `FROM`
 * (conditions are the list's filter grammar, evaluated in SQL against the record), and the owning
 * module's update path for the `update_record` action, so invariants, versioning and audit apply.
 * Registered by the owner (products, contacts) from `onModuleInit`, in the API and the worker.
 */
export interface RecordUpdater {
  /** The entity type as events and targets name it (`product`). */
  readonly entityType: string;
  /** The list whose `fields` a rule's condition may name (`compileListFilter`). */
  readonly list: ListDefinition;
  /** `FROM` text whose alias the list's columns use (`products`, `contacts c`): code, never input. */
  readonly from: string;
  /** The alias of `from` (`products`, `c`): `<alias>.id`, `<alias>.organization_id`. */
  readonly alias: string;
  /** The fields `update_record` may set (a subset of the owner's update DTO). */
  readonly fields: readonly string[];
  /**
   * The owner's update DTO class (class-validator): `fields` are checked against it, as its route
   * would, when a rule is saved and before each run (422 at `/actions/<i>/params/fields/...`).
   */
  readonly dto: Type<object>;
  /**
   * Applies `fields` to the record through the owner's service as `actor` (no If-Match: the
   * current version); resolves to the new version. Throws the owner's typed errors (404, 422…).
   */
  update(
    orgId: string,
    id: string,
    fields: Record<string, unknown>,
    actor: Principal,
    context: AuditContext,
  ): Promise<{ version: number }>;
}

/** The registry of {@link RecordUpdater}s by entity type (global, API and worker). */
@Injectable()
export class RecordUpdaters {
  private readonly updaters = new Map<string, RecordUpdater>();

  /** Adds an owner's updater; throws when the entity type is registered twice. */
  register(updater: RecordUpdater): void {
    if (this.updaters.has(updater.entityType))
      throw new Error(`record updater "${updater.entityType}" registered twice`);
    this.updaters.set(updater.entityType, updater);
  }

  /** The updater of `entityType`, or undefined. */
  get(entityType: string): RecordUpdater | undefined {
    return this.updaters.get(entityType);
  }

  /** The entity types automation rules may name, sorted. */
  entityTypes(): string[] {
    return [...this.updaters.keys()].sort();
  }
}
