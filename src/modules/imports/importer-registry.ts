import { Global, Injectable, Module } from '@nestjs/common';
import type { ListDefinition } from '../../core/http';
import type { Importer, ImportResource } from './importer';

/**
 * What a module registers so the import pipeline can load (and export) its resource: the list
 * grammar of its export filters (the resource's list route's own) and a factory for one run's
 * importer (each run gets a fresh importer: it holds what it preloads).
 */
export interface ImporterDefinition {
  readonly resource: ImportResource;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any resource's sorts and filters
  readonly list: ListDefinition<any, any>;
  create(): Importer;
}

/**
 * The importers of the installation, registered by the modules that own the tables they load
 * (products, contacts) from their `onModuleInit`, the way job handlers join `JobRegistry`. The
 * imports module knows only this interface, so it imports no module it loads into.
 */
@Injectable()
export class ImporterRegistry {
  private readonly definitions = new Map<ImportResource, ImporterDefinition>();

  /** Adds a resource's importer; a second one for the same resource is a wiring bug (throws). */
  register(definition: ImporterDefinition): void {
    if (this.definitions.has(definition.resource))
      throw new Error(`Importer "${definition.resource}" is registered twice`);
    this.definitions.set(definition.resource, definition);
  }

  /** The resource's importer definition; throws when no module registered one (a wiring bug). */
  get(resource: ImportResource): ImporterDefinition {
    const definition = this.definitions.get(resource);
    if (!definition) throw new Error(`No importer registered for "${resource}"`);
    return definition;
  }
}

/** Provides the one {@link ImporterRegistry} to every module (global: importers register from their own module). */
@Global()
@Module({ providers: [ImporterRegistry], exports: [ImporterRegistry] })
export class ImporterRegistryModule {}
