/**
 * The one input rule for client text: C0 control characters (U+0000–U+001F) never reach the
 * database. PostgreSQL refuses U+0000 in `text` and `jsonb` outright (a 500 if it got that far),
 * and the other C0 controls are never meaningful in ERP data. Tab, line feed and carriage return
 * are the exception where a value may span lines (JSON bodies: descriptions, notes, chat bodies;
 * CSV/XLSX cells); query, path parameters and header values are single-line.
 *
 * Used by the HTTP hook (`core/http/control-chars.hook.ts`) for bodies, query strings, path
 * parameters and headers, and by the imports for CSV/XLSX cells.
 */

/** Any C0 control character, tab/LF/CR included (the single-line rule). */
// eslint-disable-next-line no-control-regex
export const CONTROL_CHARS_RE = /[\u0000-\u001F]/;

/** C0 control characters except tab (U+0009), line feed (U+000A) and carriage return (U+000D). */
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS_EXCEPT_NEWLINES_RE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F]/;

/**
 * True when `value` holds a character the rule refuses: any C0 control, or — with
 * `allowNewlines` — any C0 control other than tab, line feed and carriage return.
 */
export function hasForbiddenControlChars(
  value: string,
  options: { allowNewlines?: boolean } = {},
): boolean {
  return (options.allowNewlines ? CONTROL_CHARS_EXCEPT_NEWLINES_RE : CONTROL_CHARS_RE).test(value);
}
