/**
 * The pure part of `CreateCustomFields1764003100000`: how one organization's old product
 * attribute schema (`product_attribute_schemas.attributes`) and attribute values
 * (`products.attributes`) become custom field definitions (entity type `product`) and
 * `custom_fields` values. Kept beside the migration (migrations import nothing from modules) and
 * unit-tested on its own.
 */

/** One entry of the old schema document: `{ key, type, required?, options? }`. */
interface OldDefinition {
  key: string;
  type: string;
  required?: boolean;
  options?: unknown[];
}

/** A definition row to insert. */
export interface ConvertedDefinition {
  key: string;
  label: string;
  type: 'text' | 'number' | 'boolean' | 'date' | 'select';
  required: boolean;
  options: string[] | null;
  position: number;
}

export interface AttributeConversion {
  definitions: ConvertedDefinition[];
  /** Old attribute key → new custom field key. */
  keys: Map<string, string>;
}

const SLUG = /^[a-z][a-z0-9_]{0,39}$/;
const MAX_DEFINITIONS = 100;
const TYPE_OF_OLD: Record<string, ConvertedDefinition['type']> = {
  string: 'text',
  number: 'number',
  boolean: 'boolean',
  date: 'date',
  enum: 'select',
};

/** A slug for an old key (`Color` → `color`, `Größe 2` → `gr_e_2`), unique among `taken`. */
export function slugFor(oldKey: string, taken: Set<string>): string {
  let base = oldKey
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_')
    .slice(0, 40);
  if (!/^[a-z]/.test(base)) base = `f_${base}`.slice(0, 40);
  if (!SLUG.test(base)) base = 'field';
  let key = base;
  for (let n = 2; taken.has(key); n += 1) key = `${base.slice(0, 40 - String(n).length - 1)}_${n}`;
  taken.add(key);
  return key;
}

/** Options as the new rules take them: trimmed, 1–100 characters, no `|`, unique case-insensitively. */
function convertOptions(options: unknown[] | undefined): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of options ?? []) {
    if (typeof raw !== 'string') continue;
    const option = raw.normalize('NFC').replace(/\s+/g, ' ').trim();
    const folded = option.normalize('NFKC').toLowerCase();
    if (!option || option.length > 100 || option.includes('|') || seen.has(folded)) continue;
    seen.add(folded);
    out.push(option);
    if (out.length === 100) break;
  }
  return out;
}

/** The type of a key defined by no schema, inferred from its values (all numbers → number, …). */
function inferType(values: unknown[]): ConvertedDefinition['type'] {
  const present = values.filter((v) => v !== null && v !== undefined);
  if (present.length && present.every((v) => typeof v === 'boolean')) return 'boolean';
  if (present.length && present.every((v) => typeof v === 'number' && Number.isFinite(v)))
    return 'number';
  return 'text';
}

/**
 * Converts one organization: the schema's definitions first (in their order; `enum` → `select`
 * with its valid options, or `text` when none is valid), then every other key found in the
 * values (free-form attributes, or values older than the schema) with an inferred type — at most
 * 100 definitions (further keys keep their values on the records, undefined, until next written).
 */
export function convertAttributes(
  schema: unknown[] | null,
  values: Record<string, unknown>[],
): AttributeConversion {
  const taken = new Set<string>();
  const keys = new Map<string, string>();
  const definitions: ConvertedDefinition[] = [];
  for (const entry of schema ?? []) {
    if (definitions.length >= MAX_DEFINITIONS) break;
    const old = entry as OldDefinition;
    if (typeof old?.key !== 'string' || keys.has(old.key)) continue;
    let type = TYPE_OF_OLD[old.type] ?? 'text';
    const options = type === 'select' ? convertOptions(old.options) : null;
    if (type === 'select' && options!.length === 0) type = 'text';
    const key = slugFor(old.key, taken);
    keys.set(old.key, key);
    definitions.push({
      key,
      label: old.key.slice(0, 100),
      type,
      required: old.required === true,
      options: type === 'select' ? options : null,
      position: definitions.length,
    });
  }
  const extra = new Map<string, unknown[]>();
  for (const record of values)
    for (const [oldKey, value] of Object.entries(record ?? {}))
      if (!keys.has(oldKey)) {
        const seen = extra.get(oldKey) ?? [];
        seen.push(value);
        extra.set(oldKey, seen);
      }
  for (const [oldKey, seen] of [...extra.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const key = slugFor(oldKey, taken);
    keys.set(oldKey, key);
    if (definitions.length >= MAX_DEFINITIONS) continue; // values kept, undefined
    definitions.push({
      key,
      label: (oldKey.replace(/\s+/g, ' ').trim() || key).slice(0, 100),
      type: inferType(seen),
      required: false,
      options: null,
      position: definitions.length,
    });
  }
  return { definitions, keys };
}

/**
 * One record's attributes as custom field values: renamed keys, nulls dropped; a non-string
 * scalar under a `text` definition becomes its string, an object its JSON (the values stay as
 * readable as before; the rules bind them on their next write). Keys beyond the 100 definitions
 * keep their (slugged) place.
 */
export function convertValues(
  attributes: Record<string, unknown>,
  conversion: AttributeConversion,
): Record<string, unknown> {
  const byKey = new Map(conversion.definitions.map((d) => [d.key, d]));
  const out: Record<string, unknown> = {};
  for (const [oldKey, value] of Object.entries(attributes ?? {})) {
    if (value === null || value === undefined) continue;
    const key = conversion.keys.get(oldKey);
    if (!key) continue;
    const definition = byKey.get(key);
    let converted = value;
    if (definition?.type === 'text' && typeof value !== 'string')
      converted =
        typeof value === 'number' || typeof value === 'boolean'
          ? String(value)
          : JSON.stringify(value);
    Object.defineProperty(out, key, {
      value: converted,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}
