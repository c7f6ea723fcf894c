import { Global, Injectable, Module } from '@nestjs/common';

/** A record type that carries custom fields: its table and JSONB column (both SQL identifiers). */
export interface CustomFieldTarget {
  /** The definitions' `entityType`, e.g. `product`. */
  entityType: string;
  /** The records' table, e.g. `products` (rows have `organization_id`). */
  table: string;
  /** The JSONB column of the values, e.g. `custom_fields`. */
  column: string;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * The entity types custom fields may be defined for, registered by the modules that own the
 * records (products, contacts) from their `onModuleInit`. The custom-fields module reads their
 * tables only to answer "does any record hold a value for this key?" (delete, type change).
 */
@Injectable()
export class CustomFieldTargets {
  private readonly targets = new Map<string, CustomFieldTarget>();

  /** Adds a target; a second, different registration of the same entity type throws (a wiring bug). */
  register(target: CustomFieldTarget): void {
    if (!IDENTIFIER.test(target.table) || !IDENTIFIER.test(target.column))
      throw new Error(
        `Custom field target "${target.entityType}": table and column must be identifiers`,
      );
    const existing = this.targets.get(target.entityType);
    if (existing && (existing.table !== target.table || existing.column !== target.column))
      throw new Error(`Custom field target "${target.entityType}" is registered twice`);
    this.targets.set(target.entityType, target);
  }

  /** The target of `entityType`, or undefined when no module registered it. */
  get(entityType: string): CustomFieldTarget | undefined {
    return this.targets.get(entityType);
  }

  /** The registered entity types, sorted. */
  entityTypes(): string[] {
    return [...this.targets.keys()].sort();
  }
}

/** Provides the one {@link CustomFieldTargets} to every module (API and worker). */
@Global()
@Module({ providers: [CustomFieldTargets], exports: [CustomFieldTargets] })
export class CustomFieldTargetsModule {}
