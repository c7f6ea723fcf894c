/**
 * The one input rule for client strings (JSON bodies, query, path, headers, CSV/XLSX cells):
 * C0 control characters (U+0000–U+001F) are refused — PostgreSQL cannot even store U+0000 in
 * `text`/`jsonb` (a 500 if it got that far), and the others are invisible in a name or code. Tab,
 * line feed and carriage return are allowed only where a value may span lines (JSON bodies:
 * descriptions, notes, chat bodies; CSV/XLSX cells); query, path parameters and header values are
 * single-line. Used by the HTTP hook (`core/http/control-chars.hook.ts`) and by the imports.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is this rule's purpose
export const CONTROL_CHARS_RE = /[\u0000-\u001f]/;

/** C0 controls other than tab (U+0009), line feed (U+000A) and carriage return (U+000D). */
// eslint-disable-next-line no-control-regex -- as above
export const CONTROL_CHARS_EXCEPT_NEWLINES_RE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/;

/** Options of the rule: multi-line text fields allow tab, LF and CR. */
export interface ControlCharOptions {
  allowNewlines?: boolean;
}

/** The index (UTF-16 code unit) of the first forbidden control character in `value`, or -1. */
export function findForbiddenControlChar(value: string, options: ControlCharOptions = {}): number {
  const match = (options.allowNewlines ? CONTROL_CHARS_EXCEPT_NEWLINES_RE : CONTROL_CHARS_RE).exec(
    value,
  );
  return match ? match.index : -1;
}

/** Whether `value` holds a control character the field does not allow (see CONTROL_CHARS_RE). */
export function hasForbiddenControlChars(value: string, options: ControlCharOptions = {}): boolean {
  return findForbiddenControlChar(value, options) !== -1;
}

/** `U+0000`: how a forbidden character is named in an error (it cannot be shown as itself). */
export function describeControlChar(value: string, index: number): string {
  return `U+${value.charCodeAt(index).toString(16).toUpperCase().padStart(4, '0')}`;
}
