import type { EntityManager } from 'typeorm';

/**
 * One owner's answer to "does this record exist?": `type` is the consumer's name for the kind of
 * record (e.g. `product`), `exists` looks in the owner's table through the owner's own repository,
 * in the caller's transaction (`manager`, inside the tenant transaction) and for the organization
 * `orgId` only. Resolves `true` for a live record of that organization, `false` otherwise (another
 * tenant's, deleted or unknown ids alike).
 */
export interface ExistenceCheck<Type extends string = string> {
  readonly type: Type;
  exists(manager: EntityManager, orgId: string, id: string): Promise<boolean>;
}

/**
 * A consumer's registry of existence checks, filled by the modules that own the tables (from their
 * `onModuleInit`, the way importers join `ImporterRegistry`): the consumer asks here instead of
 * running SQL on another module's table, and imports none of the owners (so no cycle). Each
 * consumer subclasses it as its own injectable (`AttachmentTargets`, `TranslatableTargets`).
 */
export class ExistenceChecks<Type extends string = string> {
  private readonly checks = new Map<Type, ExistenceCheck<Type>>();

  /** Adds an owner's check; a second one for the same type is a wiring bug (throws). */
  register(check: ExistenceCheck<Type>): void {
    if (this.checks.has(check.type)) {
      throw new Error(`${this.constructor.name}: "${check.type}" is registered twice`);
    }
    this.checks.set(check.type, check);
  }

  /** Whether an owner registered a check for `type`. */
  has(type: string): type is Type {
    return this.checks.has(type as Type);
  }

  /**
   * Whether the organization has the record `id` of `type` (see {@link ExistenceCheck}). Throws
   * when no owner registered `type` (a wiring bug: the owner's module is not loaded).
   */
  exists(manager: EntityManager, orgId: string, type: Type, id: string): Promise<boolean> {
    const check = this.checks.get(type);
    if (!check) throw new Error(`${this.constructor.name}: no check registered for "${type}"`);
    return check.exists(manager, orgId, id);
  }
}
