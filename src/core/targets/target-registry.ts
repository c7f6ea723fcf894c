import { Global, Injectable, Module } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { NotFoundError } from '../http/errors';
import { RecordUpdaters } from './record-updaters';

/**
 * One kind of record that collaboration features hang off (SPEC-P3 §0 "Targets"): attachments,
 * comments, followers, activities, the timeline — and later tags, documents, workflows. Registered
 * by the module that owns the table, so consumers never run SQL on it nor import the owner.
 */
export interface TargetDefinition {
  /** The public name used in routes and rows (`product`, `contact`, `stock-location`, …). */
  readonly entityType: string;
  /** The permission a caller needs to see the record and what hangs off it (`products:read`). */
  readonly readPermission: string;
  /** The permission a caller needs to change the record (`products:manage`). */
  readonly updatePermission: string;
  /**
   * Whether the organization has a live record `id` (inside the caller's transaction; another
   * tenant's, deleted and unknown ids alike answer `false`). Share-lock the row (`FOR SHARE`) so
   * a delete running at the same time either waits for the caller's child row (and deletes it
   * with the record) or, having deleted first, makes this answer `false`: no orphans. With
   * `options.lock === false` (read-only callers on `TenantDatabase.read`, which refuses locking
   * reads and writes no child row) the same question without the lock.
   */
  exists(
    manager: EntityManager,
    orgId: string,
    id: string,
    options?: { lock?: boolean },
  ): Promise<boolean>;
  /** A short human label ("SKU-1 · Widget") for notifications and the timeline; null when gone. */
  label(manager: EntityManager, orgId: string, id: string): Promise<string | null>;
  /** The record's relative API path (`/api/v1/products/<id>`), a notification's `actionPath`. */
  path(id: string): string;
}

/**
 * Rows that hang off targets (attachments, comments, followers, activities): deleted in the
 * transaction that deletes the target (SPEC-P3 §0), through {@link TargetRegistry.deleteChildren}.
 * `deleteFor` may resolve to facts the deletion's event should carry (followers: `followerIds`).
 */
export interface TargetChildren {
  /** For error messages and logs (`comments`). */
  readonly name: string;
  deleteFor(
    manager: EntityManager,
    orgId: string,
    entityType: string,
    entityId: string,
  ): Promise<void | Record<string, unknown>>;
}

/** Whether the caller must be able to read the target or change it. */
export type TargetAccess = 'read' | 'update';

/**
 * The one registry of targets (SPEC-P3 §0). Owners register from `onModuleInit` of a module loaded
 * in every process that asks (API and worker: the owner's `<Name>TargetsModule`); consumers ask.
 * Registering a type twice is a wiring bug and throws.
 */
@Injectable()
export class TargetRegistry {
  private readonly definitions = new Map<string, TargetDefinition>();
  private readonly children: TargetChildren[] = [];

  /** Adds an owner's definition (throws when `entityType` is already registered). */
  register(definition: TargetDefinition): void {
    if (this.definitions.has(definition.entityType)) {
      throw new Error(`TargetRegistry: "${definition.entityType}" is registered twice`);
    }
    this.definitions.set(definition.entityType, definition);
  }

  /** Adds a consumer whose rows must go when their target goes (throws on a repeated name). */
  registerChildren(children: TargetChildren): void {
    if (this.children.some((known) => known.name === children.name)) {
      throw new Error(`TargetRegistry: children "${children.name}" are registered twice`);
    }
    this.children.push(children);
  }

  /** Whether `entityType` is a registered target. */
  has(entityType: string): boolean {
    return this.definitions.has(entityType);
  }

  /** The definition of `entityType`; throws when unknown (check `has` for user input). */
  get(entityType: string): TargetDefinition {
    const definition = this.definitions.get(entityType);
    if (!definition) throw new Error(`TargetRegistry: no target "${entityType}"`);
    return definition;
  }

  /** Every registered type, sorted (for validation messages and docs). */
  types(): string[] {
    return [...this.definitions.keys()].sort();
  }

  /**
   * Resolves the target the caller names, or throws 404 `not_found` — the same answer for an
   * unknown type, a missing, deleted or other-tenant id, and a target the caller may not read
   * (or, `access: 'update'`, may not change): a caller learns nothing about what they cannot see.
   * `permissions` is the caller's set in `orgId` (a principal's, or another user's from
   * `AccessService.resolve` when checking whether someone mentioned may read it).
   */
  async assertAccessible(
    manager: EntityManager,
    orgId: string,
    permissions: ReadonlySet<string>,
    entityType: string,
    entityId: string,
    access: TargetAccess = 'read',
  ): Promise<TargetDefinition> {
    const definition = this.definitions.get(entityType);
    if (
      !definition ||
      !this.allows(definition, permissions, access) ||
      !(await definition.exists(manager, orgId, entityId))
    ) {
      throw new NotFoundError('Target');
    }
    return definition;
  }

  /**
   * {@link assertAccessible} with read access and no row lock, for read-only work (lists and gets
   * on `TenantDatabase.read`, which refuses `FOR SHARE`): a read writes no child row, so there is
   * nothing a concurrent delete could orphan. Same 404 `not_found` answers.
   */
  async assertReadable(
    manager: EntityManager,
    orgId: string,
    permissions: ReadonlySet<string>,
    entityType: string,
    entityId: string,
  ): Promise<TargetDefinition> {
    const definition = this.definitions.get(entityType);
    if (
      !definition ||
      !this.allows(definition, permissions, 'read') ||
      !(await definition.exists(manager, orgId, entityId, { lock: false }))
    ) {
      throw new NotFoundError('Target');
    }
    return definition;
  }

  /** Whether a permission set may read (or change) records of `definition`'s type. */
  allows(
    definition: TargetDefinition,
    permissions: ReadonlySet<string>,
    access: TargetAccess = 'read',
  ): boolean {
    return permissions.has(
      access === 'read' ? definition.readPermission : definition.updatePermission,
    );
  }

  /**
   * Deletes every registered child row of one target, in the owner's delete transaction
   * (`manager`), in registration order. Resolves to what the children reported (merged), e.g.
   * `{ followerIds }`, which the deletion's domain event carries (the rows are gone by the time a
   * consumer reads it).
   */
  async deleteChildren(
    manager: EntityManager,
    orgId: string,
    entityType: string,
    entityId: string,
  ): Promise<Record<string, unknown>> {
    const reported: Record<string, unknown> = {};
    for (const children of this.children) {
      Object.assign(reported, await children.deleteFor(manager, orgId, entityType, entityId));
    }
    return reported;
  }
}

/**
 * Provides the one {@link TargetRegistry} and {@link RecordUpdaters} to every module (imported by
 * the API and worker roots).
 */
@Global()
@Module({ providers: [TargetRegistry, RecordUpdaters], exports: [TargetRegistry, RecordUpdaters] })
export class TargetsModule {}
