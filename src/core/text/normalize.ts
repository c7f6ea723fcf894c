/**
 * The one normalisation rule for names, codes, SKUs and keys that are stored and compared for
 * uniqueness (issue 14, finding 3): what a person reads as the same name is stored as the same
 * string, so look-alikes (`" Cat C "`, `"Cat\u200b C"`, NFD `Cafe\u0301`) meet the unique index.
 *
 * 1. Unicode NFC (composed form: `e` + U+0301 becomes `é`);
 * 2. zero-width characters removed: U+200B zero width space, U+200C zero width non-joiner,
 *    U+200D zero width joiner, U+2060 word joiner, U+FEFF byte order mark / zero width no-break
 *    space — removed rather than refused, because they are invisible and arrive by copy-paste;
 * 3. every run of whitespace (ASCII and Unicode spaces, tabs, line breaks) becomes one space;
 * 4. trimmed.
 *
 * Case is kept as typed; case-insensitive uniqueness is the database's (`lower(...)` unique
 * indexes, `citext` for SKUs). The migration `NormalizeStoredNames` applies the same rule in SQL
 * (`alees_normalize_name`) to rows stored before it.
 */

/** U+200B–U+200D, U+2060, U+FEFF. */
export const ZERO_WIDTH_RE = /[\u200B-\u200D\u2060\uFEFF]/g;

const WHITESPACE_RUN_RE = /\s+/g;

/**
 * Printable ASCII words separated by single spaces (or nothing): already normalised, since ASCII
 * is its own NFC form and holds no zero-width character, and such a string has no whitespace run
 * other than single inner spaces and nothing to trim.
 */
const NORMAL_ASCII_RE = /^(?:[\x21-\x7e]+(?: [\x21-\x7e]+)*)?$/;

/**
 * Applies the rule above; idempotent (`normalizeName(normalizeName(x)) === normalizeName(x)`).
 * Strings already in normalised printable ASCII (most SKUs, names, tags) are returned as they are
 * without the Unicode normalisation and two replacements: the same result, at a fraction of the
 * cost (an import validates each name and tag several times; issue 21).
 */
export function normalizeName(value: string): string {
  if (NORMAL_ASCII_RE.test(value)) return value;
  return value.normalize('NFC').replace(ZERO_WIDTH_RE, '').replace(WHITESPACE_RUN_RE, ' ').trim();
}

/** Sentence for Swagger descriptions of normalised fields, so the document says what the server does. */
export const NORMALIZED_NAME_NOTE =
  'Normalised by the server before it is validated, compared and stored: Unicode NFC, zero-width characters (U+200B-U+200D, U+2060, U+FEFF) removed, whitespace runs collapsed to one space, trimmed.';
