import { defaultMetadataStorage } from 'class-transformer/cjs/storage';
import { getMetadataStorage, type MetadataStorage } from 'class-validator';

/** class-transformer's metadata storage (its `defaultMetadataStorage` singleton). */
type TransformStorage = typeof defaultMetadataStorage;

type Lookup = MetadataStorage['getTargetValidationMetadatas'];
type Metadata = ReturnType<Lookup>;
type Grouped = ReturnType<MetadataStorage['groupByPropertyName']>;

const INSTALLED = Symbol.for('alees.validationMetadataCache');

type Patchable = MetadataStorage & { [INSTALLED]?: () => void };

/**
 * Memoises class-validator's metadata lookups on its global `MetadataStorage`, so validating a
 * DTO no longer walks every registered class.
 *
 * Why: `validate`/`validateSync` call `getTargetValidationMetadatas(target, …)` on every call, and
 * it tests `target.prototype instanceof` each of the hundreds of decorated classes of the app to
 * find inherited rules (class-validator 0.15.1; upstream typestack/class-validator#2686, open, no
 * release fixes it). Profiling the 1,000,000-row product import (issue 21) found more than half of
 * the worker's class-validator time in that walk.
 *
 * What: the lookup's answer is cached per (target class, schema, always, strictGroups, groups),
 * and `groupByPropertyName`'s per answer array; both caches are dropped whenever a validation
 * rule is registered (`addValidationMetadata`, which decorators, `addValidationSchema` and
 * `@nestjs/mapped-types`' `PartialType`/`OmitType` all go through), so an answer is always the
 * one the uncached lookup would give now. Cached arrays and groups are frozen: class-validator
 * only reads them, and a caller that tried to change one would throw instead of corrupting the
 * cache. Everything else — rules, messages, order of errors — is class-validator's own code.
 *
 * Hand-written because class-validator offers no cache option and no maintained package adds
 * one. Idempotent: a second call returns the first call's `restore`. Returns `restore()`, which
 * puts the library's own methods back (for tests comparing cached and uncached results).
 */
export function cacheValidationMetadata(
  storage: MetadataStorage = getMetadataStorage(),
): () => void {
  const patched = storage as Patchable;
  const installed = patched[INSTALLED];
  if (installed) return installed;

  const lookup = storage.getTargetValidationMetadatas.bind(storage);
  const group = storage.groupByPropertyName.bind(storage);
  const addValidationMetadata = storage.addValidationMetadata.bind(storage);
  let answers = new WeakMap<object, Map<string, Metadata>>();
  let groups = new WeakMap<Metadata, Grouped>();

  patched.getTargetValidationMetadatas = (target, schema, always, strictGroups, names) => {
    const key = `${String(schema)}|${always}|${strictGroups}|${names ? JSON.stringify(names) : '-'}`;
    let byKey = answers.get(target);
    if (!byKey) answers.set(target, (byKey = new Map<string, Metadata>()));
    let answer = byKey.get(key);
    if (!answer) {
      answer = Object.freeze(lookup(target, schema, always, strictGroups, names)) as Metadata;
      byKey.set(key, answer);
    }
    return answer;
  };
  patched.groupByPropertyName = (metadata) => {
    if (!Object.isFrozen(metadata)) return group(metadata); // not one of our answers
    let grouped = groups.get(metadata);
    if (!grouped) {
      grouped = group(metadata);
      for (const list of Object.values(grouped)) Object.freeze(list);
      groups.set(metadata, Object.freeze(grouped));
    }
    return grouped;
  };
  patched.addValidationMetadata = (metadata) => {
    answers = new WeakMap();
    groups = new WeakMap();
    addValidationMetadata(metadata);
  };
  const restore = () => {
    delete (patched as Partial<MetadataStorage>).getTargetValidationMetadatas;
    delete (patched as Partial<MetadataStorage>).groupByPropertyName;
    delete (patched as Partial<MetadataStorage>).addValidationMetadata;
    delete patched[INSTALLED];
  };
  patched[INSTALLED] = restore;
  return restore;
}

/** class-transformer's read-only lookups, all answered from their arguments and its four maps. */
const TRANSFORM_LOOKUPS = [
  'findTransformMetadatas',
  'findExcludeMetadata',
  'findExposeMetadata',
  'findExposeMetadataByCustomName',
  'findTypeMetadata',
  'getStrategy',
  'getExposedMetadatas',
  'getExcludedMetadatas',
  'getExposedProperties',
  'getExcludedProperties',
] as const;
const TRANSFORM_ADDERS = [
  'addTypeMetadata',
  'addTransformMetadata',
  'addExposeMetadata',
  'addExcludeMetadata',
  'clear',
] as const;
const TRANSFORM_MAPS = [
  '_typeMetadatas',
  '_transformMetadatas',
  '_exposeMetadatas',
  '_excludeMetadatas',
] as const;

type AnyLookup = (target: unknown, a?: unknown, b?: unknown) => unknown;
/** A cached `undefined` answer (most properties have no type, expose or exclude metadata). */
const NONE = Symbol('none');

/**
 * Memoises class-transformer's metadata lookups on its `defaultMetadataStorage`, which
 * `plainToInstance` repeats for every property of every object it builds (each one copies and
 * filters the stored maps: ~11 % of the worker's CPU in the product import profile, issue 21).
 *
 * Answers are cached per (lookup, target class, property, transformation type); the cache is
 * dropped whenever metadata changes: through the storage's `add…Metadata`/`clear`, or directly in
 * its four maps (`@nestjs/mapped-types`' `PartialType`/`OmitType` write into them with `Map.set`,
 * so the maps' own `set`/`delete`/`clear` drop it too). Arrays are frozen (the library only reads
 * them). Everything else is class-transformer's own code. Hand-written for the reason given at
 * `cacheValidationMetadata`; idempotent; returns `restore()`.
 */
export function cacheTransformMetadata(
  storage: TransformStorage = defaultMetadataStorage,
): () => void {
  const patched = storage as unknown as Record<string, unknown> & { [INSTALLED]?: () => void };
  const installed = patched[INSTALLED];
  if (installed) return installed;

  // Bumped whenever metadata changes; each lookup drops its answers when it sees a new value.
  let generation = 0;
  const drop = () => {
    generation += 1;
  };
  for (const name of TRANSFORM_LOOKUPS) {
    const lookup = (patched[name] as AnyLookup).bind(storage);
    // target → first argument → second argument → answer: no key strings built per call (this
    // runs for every property of every object transformed).
    let answers = new WeakMap<object, Map<unknown, Map<unknown, unknown>>>();
    let seen = generation;
    patched[name] = (target: unknown, a?: unknown, b?: unknown) => {
      if (typeof target !== 'function') return lookup(target, a, b);
      if (seen !== generation) {
        answers = new WeakMap();
        seen = generation;
      }
      let byA = answers.get(target);
      if (!byA) answers.set(target, (byA = new Map<unknown, Map<unknown, unknown>>()));
      let byB = byA.get(a);
      if (!byB) byA.set(a, (byB = new Map<unknown, unknown>()));
      const hit = byB.get(b);
      if (hit !== undefined) return hit === NONE ? undefined : hit;
      const answer = lookup(target, a, b);
      byB.set(
        b,
        answer === undefined ? NONE : Array.isArray(answer) ? Object.freeze(answer) : answer,
      );
      return answer;
    };
  }
  for (const name of TRANSFORM_ADDERS) {
    const add = (patched[name] as (metadata?: unknown) => void).bind(storage);
    patched[name] = (metadata?: unknown) => {
      drop();
      add(metadata);
    };
  }
  const maps = TRANSFORM_MAPS.map((name) => patched[name] as Map<unknown, unknown>);
  for (const map of maps) {
    const own = map as Map<unknown, unknown> & Record<'set' | 'delete' | 'clear', unknown>;
    own.set = (key: unknown, value: unknown) => {
      drop();
      return Map.prototype.set.call(map, key, value);
    };
    own.delete = (key: unknown) => {
      drop();
      return Map.prototype.delete.call(map, key);
    };
    own.clear = () => {
      drop();
      Map.prototype.clear.call(map);
    };
  }
  const restore = () => {
    for (const name of [...TRANSFORM_LOOKUPS, ...TRANSFORM_ADDERS]) delete patched[name];
    for (const map of maps) {
      const own = map as unknown as Record<string, unknown>;
      delete own.set;
      delete own.delete;
      delete own.clear;
    }
    delete patched[INSTALLED];
  };
  patched[INSTALLED] = restore;
  return restore;
}

/**
 * Both caches (class-validator's and class-transformer's lookups), installed once per process by
 * the API and the worker at boot (`bootstrap.ts`). Returns `restore()` for both.
 */
export function cacheDtoMetadata(): () => void {
  const validation = cacheValidationMetadata();
  const transform = cacheTransformMetadata();
  return () => {
    transform();
    validation();
  };
}
