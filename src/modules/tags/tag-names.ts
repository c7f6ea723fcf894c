import { applyDecorators } from '@nestjs/common';
import { ArrayMaxSize, IsArray, IsString, Matches } from 'class-validator';
import { normalizeName } from '../../core/text';

/** At most this many tags on one record (SPEC-P3 §2). */
export const MAX_TAGS_PER_RECORD = 50;
/** A tag name is 1–50 characters after `normalizeName`. */
export const MAX_TAG_NAME_LENGTH = 50;

/**
 * What a normalised tag name may hold: 1–50 characters, none of them a control character
 * (C0, DEL, C1), a comma (`?tag=a,b` separates names with it) or `|` (CSV cells of imports and
 * exports separate tags with it) — nor a character whose compatibility form is one of those
 * (full-width `，` and `｜`), since the folded key must not hold them either.
 */
// eslint-disable-next-line no-control-regex -- refusing control characters is this rule's purpose
export const TAG_NAME_PATTERN = /^[^\u0000-\u001f\u007f-\u009f,|\uff0c\uff5c\ufe50\ufe10]{1,50}$/u;

/** The rule in words (validation messages and Swagger). */
export const TAG_NAME_RULE =
  'each tag is 1-50 characters after normalisation, with no comma, "|" or control character';

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/**
 * The folded key a tag name is unique by within an organization: `normalizeName` (NFC,
 * zero-width removed, whitespace collapsed, trimmed), then Unicode NFKC (compatibility forms:
 * full-width `ＣＡＦＥ` → `CAFE`, ligatures `ﬁ` → `fi`), full case folding approximated by upper
 * then lower case (`ß` → `ss`, final `ς` → `σ`, `İ` → `i̇`), and NFKC again (case mapping can
 * leave a denormalised string). So `Café`, `CAFE\u0301`, `ｃａｆé` share one key. Look-alikes
 * across scripts (Cyrillic `а` for Latin `a`) are different keys: only Unicode's own
 * equivalences collide.
 */
export function tagNameKey(name: string): string {
  const normal = normalizeName(name);
  // Printable ASCII is its own NFKC form and its case folding is toLowerCase: same key, cheaper.
  if (PRINTABLE_ASCII.test(normal)) return normal.toLowerCase();
  return normal.normalize('NFKC').toUpperCase().toLowerCase().normalize('NFKC');
}

/** Whether a normalised name follows {@link TAG_NAME_PATTERN} (its key too). */
export function isValidTagName(name: string): boolean {
  return TAG_NAME_PATTERN.test(name) && /^[^,|]+$/u.test(tagNameKey(name));
}

/**
 * The distinct names of a list by folded key, in the order first given (`['Tea', 'TEA', 'x']`
 * → `['Tea', 'x']`), each normalised.
 */
export function distinctTagNames(names: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of names) {
    const name = normalizeName(raw);
    const key = tagNameKey(name);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(name);
  }
  return out;
}

/**
 * The DTO rules of a record's `tags: string[]` (products, contacts, `PUT /taggings`): an array of
 * at most 50 strings, each matching {@link TAG_NAME_PATTERN}. Put `@NormalizedName()` above the
 * `@ApiProperty` so the names are normalised first.
 */
export const TagNames = (): PropertyDecorator =>
  applyDecorators(
    IsArray(),
    ArrayMaxSize(MAX_TAGS_PER_RECORD),
    IsString({ each: true }),
    Matches(TAG_NAME_PATTERN, { each: true, message: TAG_NAME_RULE }),
  );
