import { Script, createContext } from 'node:vm';
import type { FieldIssue } from '../../core/http';
import { findForbiddenControlChar, hasVisibleText, normalizeName } from '../../core/text';

/** The value types of a custom field (SPEC-P3 §0). */
export const CUSTOM_FIELD_TYPES = [
  'text',
  'number',
  'decimal',
  'boolean',
  'date',
  'datetime',
  'select',
  'multiselect',
  'user',
  'url',
] as const;
export type CustomFieldType = (typeof CUSTOM_FIELD_TYPES)[number];

/** A definition's key: a lower-case slug, immutable once created. */
export const CUSTOM_FIELD_KEY = /^[a-z][a-z0-9_]{0,39}$/;
/** At most this many definitions per organization and entity type. */
export const MAX_DEFINITIONS_PER_TYPE = 100;
/** Options of a select/multiselect field: 1 to this many, each 1–100 characters. */
export const MAX_OPTIONS = 100;
/** The longest text value when the definition sets no `max` (and the highest `max` it may set). */
export const DEFAULT_TEXT_MAX = 1000;
export const TEXT_MAX_LIMIT = 10_000;
/** The longest `pattern` accepted (characters). */
export const MAX_PATTERN_LENGTH = 200;
/** What one `pattern` test may take before the value is refused (a second wall behind the syntax rules). */
export const PATTERN_BUDGET_MS = 200;
/** Numbers (type `number`) and decimals: at most this magnitude. */
export const NUMBER_LIMIT = 1e15;
const DECIMAL = /^-?\d{1,15}(\.\d{1,6})?$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?(Z|[+-](\d{2}):(\d{2}))$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const URL_MAX = 2048;

/** A definition as validation needs it (bounds stored as text: see {@link checkDefinition}). */
export interface CustomFieldRule {
  key: string;
  type: CustomFieldType;
  required: boolean;
  options: string[] | null;
  /** text: length; number/decimal: a decimal string; date: YYYY-MM-DD; datetime: ISO UTC. */
  min: string | null;
  max: string | null;
  pattern: string | null;
  isActive: boolean;
}

/** JSON Pointer of a value: `/customFields/<key>` (RFC 6901 escaping). */
export const valuePointer = (key: string): string =>
  `/customFields/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;

const isLeapYear = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Whether year/month/day is a real calendar day (2026-02-30 is not), years 0001–9999. */
function isCalendarDay(y: number, m: number, d: number): boolean {
  if (y < 1 || m < 1 || m > 12 || d < 1) return false;
  const last = m === 2 && isLeapYear(y) ? 29 : DAYS[m - 1];
  return d <= last;
}

/** `YYYY-MM-DD` of a real day, or undefined. */
export function parseDate(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const match = DATE.exec(value);
  if (!match) return undefined;
  const [y, m, d] = match.slice(1, 4).map(Number);
  return isCalendarDay(y, m, d) ? value : undefined;
}

/** An ISO 8601 date-time with an offset (`Z` or `±hh:mm`) of a real instant, as UTC ISO, or undefined. */
export function parseDateTime(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const match = DATETIME.exec(value);
  if (!match) return undefined;
  const [y, mo, d, h, mi] = match.slice(1, 6).map(Number);
  const s = Number(match[6] ?? 0);
  const offsetH = Number(match[9] ?? 0);
  const offsetM = Number(match[10] ?? 0);
  if (!isCalendarDay(y, mo, d) || h > 23 || mi > 59 || s > 59 || offsetH > 23 || offsetM > 59)
    return undefined;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
}

/** A canonical decimal string (`007.50` → `7.5`, `-0` → `0`) of a decimal string or number, or undefined. */
export function parseDecimal(value: unknown): string | undefined {
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return undefined;
    text = String(value);
  } else if (typeof value === 'string') text = value;
  else return undefined;
  if (!DECIMAL.test(text)) return undefined;
  const negative = text.startsWith('-');
  const [whole, fraction = ''] = (negative ? text.slice(1) : text).split('.');
  const int = whole.replace(/^0+(?=\d)/, '');
  const frac = fraction.replace(/0+$/, '');
  const canonical = frac ? `${int}.${frac}` : int;
  return negative && canonical !== '0' ? `-${canonical}` : canonical;
}

/** A finite number within ±{@link NUMBER_LIMIT} (`-0` → `0`), or undefined. */
export function parseNumber(value: unknown): number | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value) || Math.abs(value) > NUMBER_LIMIT)
    return undefined;
  return value === 0 ? 0 : value;
}

const compareDecimal = (a: string, b: string): number => {
  // Exact for ≤ 15 integer digits and ≤ 6 decimals: compare as scaled BigInts.
  const scaled = (v: string) => {
    const negative = v.startsWith('-');
    const [whole, fraction = ''] = (negative ? v.slice(1) : v).split('.');
    const n = BigInt(whole + fraction.padEnd(6, '0'));
    return negative ? -n : n;
  };
  const x = scaled(a);
  const y = scaled(b);
  return x < y ? -1 : x > y ? 1 : 0;
};

/**
 * Why `pattern` is refused, or null when it is accepted. Patterns run on V8's backtracking engine
 * (the `re2` package needs a native build we do not ship), so they are kept to a subset without
 * super-linear blow-ups: at most {@link MAX_PATTERN_LENGTH} characters, valid with the `u` flag,
 * no back-references (`\1`, `\k<…>`), no lookaround (`(?=`, `(?!`, `(?<=`, `(?<!`), and no
 * quantified group that itself contains a quantifier or an alternation (`(a+)+`, `(a|a)*`: the
 * catastrophic-backtracking shapes). Every test also runs under a {@link PATTERN_BUDGET_MS}
 * time budget (see {@link testPattern}).
 */
export function patternProblem(pattern: string): string | null {
  if (pattern.length === 0 || pattern.length > MAX_PATTERN_LENGTH)
    return `pattern must be 1-${MAX_PATTERN_LENGTH} characters`;
  if (findForbiddenControlChar(pattern) !== -1) return 'pattern contains a control character';
  try {
    new RegExp(pattern, 'u');
  } catch {
    return 'pattern is not a valid regular expression';
  }
  if (/\\[1-9]|\\k</.test(pattern)) return 'pattern may not use back-references';
  if (/\(\?<?[=!]/.test(pattern)) return 'pattern may not use lookahead or lookbehind';
  // Walk the groups: a group that contains a quantifier or `|` may not be quantified itself.
  const stack: { risky: boolean }[] = [];
  let inClass = false;
  for (let i = 0; i < pattern.length; i += 1) {
    const c = pattern[i];
    if (c === '\\') {
      i += 1;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === '(') stack.push({ risky: false });
    else if (c === '|' && stack.length) stack[stack.length - 1].risky = true;
    else if ('*+?{'.includes(c) && stack.length) {
      // `(?` opens a group, it is no quantifier.
      if (!(c === '?' && pattern[i - 1] === '(')) stack[stack.length - 1].risky = true;
    } else if (c === ')') {
      const group = stack.pop();
      const next = pattern[i + 1];
      const quantified = next !== undefined && '*+?{'.includes(next);
      if (group?.risky && quantified)
        return 'pattern may not repeat a group that contains a repetition or an alternation';
      if (group?.risky && stack.length) stack[stack.length - 1].risky = true;
    }
  }
  return null;
}

const patternScript = new Script('pattern.test(value)');
/** One sandbox for every test (a context costs ~2 ms to create); only `pattern` and `value` change. */
const patternContext = createContext({ pattern: /$^/u, value: '' }) as {
  pattern: RegExp;
  value: string;
};

/**
 * Tests `value` against `pattern` (`u` flag) within {@link PATTERN_BUDGET_MS}: `match`,
 * `no-match`, or `timeout` (refused by the caller with its own message).
 */
export function testPattern(pattern: string, value: string): 'match' | 'no-match' | 'timeout' {
  patternContext.pattern = new RegExp(pattern, 'u');
  patternContext.value = value;
  try {
    return patternScript.runInContext(patternContext, { timeout: PATTERN_BUDGET_MS }) === true
      ? 'match'
      : 'no-match';
  } catch {
    return 'timeout';
  } finally {
    patternContext.value = '';
  }
}

/** What a client sends to define (or redefine) a field's type-specific rules. */
export interface DefinitionInput {
  type: CustomFieldType;
  options?: string[] | null;
  min?: number | string | null;
  max?: number | string | null;
  pattern?: string | null;
}

/** The stored, normalised form of {@link DefinitionInput}. */
export interface DefinitionRules {
  options: string[] | null;
  min: string | null;
  max: string | null;
  pattern: string | null;
}

/** Folds an option for the uniqueness check: look-alikes by compatibility form and case meet. */
const optionFold = (option: string): string => option.normalize('NFKC').toLowerCase();

/**
 * Checks a definition's type-specific rules and returns them normalised, or the issues (422 at
 * `/options`, `/min`, `/max`, `/pattern`):
 * - `options` only (and required) for select/multiselect: 1–{@link MAX_OPTIONS}, each normalised
 *   (`normalizeName`) to 1–100 characters, unique after NFKC + lower-case folding;
 * - `min`/`max` only for text (lengths, whole numbers 0–{@link TEXT_MAX_LIMIT}), number and decimal
 *   (decimal values), date (`YYYY-MM-DD`) and datetime (ISO with offset); `min ≤ max`;
 * - `pattern` only for text (see {@link patternProblem}).
 */
export function checkDefinition(input: DefinitionInput): {
  rules: DefinitionRules;
  issues: FieldIssue[];
} {
  const issues: FieldIssue[] = [];
  const { type } = input;
  const rules: DefinitionRules = { options: null, min: null, max: null, pattern: null };
  const choice = type === 'select' || type === 'multiselect';
  if (choice) {
    const options = input.options;
    if (!Array.isArray(options) || options.length < 1 || options.length > MAX_OPTIONS) {
      issues.push({ pointer: '/options', detail: `options must list 1-${MAX_OPTIONS} values` });
    } else {
      const seen = new Set<string>();
      const normalized: string[] = [];
      options.forEach((raw, index) => {
        const option = typeof raw === 'string' ? normalizeName(raw) : '';
        if (option.length < 1 || option.length > 100 || findForbiddenControlChar(option) !== -1) {
          issues.push({
            pointer: `/options/${index}`,
            detail: 'each option must be 1-100 characters of text',
          });
          return;
        }
        if (option.includes('|')) {
          issues.push({
            pointer: `/options/${index}`,
            detail: 'an option may not contain | (it separates multiselect values in imports)',
          });
          return;
        }
        const folded = optionFold(option);
        if (seen.has(folded)) {
          issues.push({
            pointer: `/options/${index}`,
            detail: `option "${option}" is listed twice (compared case- and look-alike-insensitively)`,
          });
          return;
        }
        seen.add(folded);
        normalized.push(option);
      });
      rules.options = normalized;
    }
  } else if (input.options !== undefined && input.options !== null) {
    issues.push({ pointer: '/options', detail: 'options apply to select and multiselect only' });
  }

  const bound = (which: 'min' | 'max'): string | null => {
    const raw = input[which];
    if (raw === undefined || raw === null) return null;
    const pointer = `/${which}`;
    let parsed: string | undefined;
    switch (type) {
      case 'text':
        parsed =
          typeof raw === 'number' && Number.isInteger(raw) && raw >= 0 && raw <= TEXT_MAX_LIMIT
            ? String(raw)
            : undefined;
        if (parsed === undefined)
          issues.push({
            pointer,
            detail: `${which} of a text field is a length: a whole number 0-${TEXT_MAX_LIMIT}`,
          });
        return parsed ?? null;
      case 'number':
      case 'decimal':
        parsed =
          typeof raw === 'number' && parseNumber(raw) === undefined ? undefined : parseDecimal(raw);
        if (parsed === undefined)
          issues.push({
            pointer,
            detail: `${which} must be a number with at most 15 digits and 6 decimals`,
          });
        return parsed ?? null;
      case 'date':
        parsed = parseDate(raw);
        if (parsed === undefined)
          issues.push({ pointer, detail: `${which} must be a date (YYYY-MM-DD)` });
        return parsed ?? null;
      case 'datetime':
        parsed = parseDateTime(raw);
        if (parsed === undefined)
          issues.push({ pointer, detail: `${which} must be an ISO 8601 date-time with an offset` });
        return parsed ?? null;
      default:
        issues.push({
          pointer,
          detail: `${which} applies to text, number, decimal, date and datetime only`,
        });
        return null;
    }
  };
  rules.min = bound('min');
  rules.max = bound('max');
  if (rules.min !== null && rules.max !== null && compareBound(type, rules.min, rules.max) > 0)
    issues.push({ pointer: '/max', detail: 'max must not be below min' });

  if (input.pattern !== undefined && input.pattern !== null) {
    if (type !== 'text') {
      issues.push({ pointer: '/pattern', detail: 'pattern applies to text only' });
    } else {
      const problem = patternProblem(input.pattern);
      if (problem) issues.push({ pointer: '/pattern', detail: problem });
      else rules.pattern = input.pattern;
    }
  }
  return { rules, issues };
}

/** Orders two stored bounds (or a bound and a normalised value) of `type`. */
function compareBound(type: CustomFieldType, a: string, b: string): number {
  switch (type) {
    case 'text':
    case 'number':
      return Number(a) - Number(b);
    case 'decimal':
      return compareDecimal(a, b);
    case 'datetime':
      return Date.parse(a) - Date.parse(b);
    default:
      return a < b ? -1 : a > b ? 1 : 0;
  }
}

/** A stored bound as the API shows it: a number for text lengths and numbers, else the string. */
export function boundView(type: CustomFieldType, bound: string | null): number | string | null {
  if (bound === null) return null;
  return type === 'text' || type === 'number' ? Number(bound) : bound;
}

type Checked = { value: unknown } | { detail: string };

/** Range check of a normalised value against the definition's `min`/`max`. */
function inRange(rule: CustomFieldRule, comparable: string): string | null {
  if (rule.min !== null && compareBound(rule.type, comparable, rule.min) < 0)
    return `${rule.key} must be at least ${rule.type === 'text' ? `${rule.min} characters` : rule.min}`;
  if (rule.max !== null && compareBound(rule.type, comparable, rule.max) > 0)
    return `${rule.key} must be at most ${rule.type === 'text' ? `${rule.max} characters` : rule.max}`;
  return null;
}

/**
 * One value against its definition: the normalised value, or why it is refused. Values are typed
 * as JSON (a number is not a string); `user` values are checked for membership by the caller.
 */
export function checkValue(rule: CustomFieldRule, raw: unknown): Checked {
  const { key } = rule;
  switch (rule.type) {
    case 'text': {
      if (typeof raw !== 'string') return { detail: `${key} must be a string` };
      if (findForbiddenControlChar(raw, { allowNewlines: true }) !== -1)
        return { detail: `${key} contains a control character` };
      const value = raw.normalize('NFC');
      const length = [...value].length;
      const max = rule.max !== null ? Number(rule.max) : DEFAULT_TEXT_MAX;
      if (length > max) return { detail: `${key} must be at most ${max} characters` };
      const range = inRange(rule, String(length));
      if (range) return { detail: range };
      if (rule.pattern !== null) {
        const outcome = testPattern(rule.pattern, value);
        if (outcome === 'timeout')
          return { detail: `${key} could not be checked against its pattern in time` };
        if (outcome === 'no-match')
          return { detail: `${key} does not match the pattern ${rule.pattern}` };
      }
      return { value };
    }
    case 'number': {
      const value = parseNumber(raw);
      if (value === undefined)
        return { detail: `${key} must be a finite number within ±${NUMBER_LIMIT}` };
      const range = inRange(rule, String(value));
      return range ? { detail: range } : { value };
    }
    case 'decimal': {
      const value = parseDecimal(raw);
      if (value === undefined)
        return { detail: `${key} must be a decimal with at most 15 digits and 6 decimals` };
      const range = inRange(rule, value);
      return range ? { detail: range } : { value };
    }
    case 'boolean':
      return typeof raw === 'boolean' ? { value: raw } : { detail: `${key} must be true or false` };
    case 'date': {
      const value = parseDate(raw);
      if (value === undefined) return { detail: `${key} must be a real date (YYYY-MM-DD)` };
      const range = inRange(rule, value);
      return range ? { detail: range } : { value };
    }
    case 'datetime': {
      const value = parseDateTime(raw);
      if (value === undefined)
        return { detail: `${key} must be an ISO 8601 date-time with an offset (Z or ±hh:mm)` };
      const range = inRange(rule, value);
      return range ? { detail: range } : { value };
    }
    case 'select': {
      const options = rule.options ?? [];
      const value = typeof raw === 'string' ? normalizeName(raw) : undefined;
      if (value === undefined || !options.includes(value))
        return { detail: `${key} must be one of: ${options.join(', ')}` };
      return { value };
    }
    case 'multiselect': {
      const options = rule.options ?? [];
      if (!Array.isArray(raw) || raw.length > options.length)
        return { detail: `${key} must be a list of at most ${options.length} of the options` };
      const values: string[] = [];
      for (const item of raw) {
        const value = typeof item === 'string' ? normalizeName(item) : undefined;
        if (value === undefined || !options.includes(value))
          return { detail: `${key} must list only: ${options.join(', ')}` };
        if (!values.includes(value)) values.push(value);
      }
      return { value: values };
    }
    case 'user':
      return typeof raw === 'string' && UUID.test(raw)
        ? { value: raw.toLowerCase() }
        : { detail: `${key} must be a user id` };
    case 'url': {
      if (
        typeof raw !== 'string' ||
        raw.length > URL_MAX ||
        /[\s\u007f]/.test(raw) ||
        findForbiddenControlChar(raw) !== -1
      )
        return { detail: `${key} must be an http(s) URL of at most ${URL_MAX} characters` };
      let url: URL;
      try {
        url = new URL(raw);
      } catch {
        return { detail: `${key} must be an http(s) URL` };
      }
      if ((url.protocol !== 'http:' && url.protocol !== 'https:') || !url.hostname)
        return { detail: `${key} must be an http(s) URL` };
      return { value: raw };
    }
  }
}

/**
 * Whether a stored value counts as missing for `required`: absent, null, [] or text with nothing
 * visible ('' or only spaces / zero-width characters, the DTOs' `VisibleText` rule).
 */
const isBlank = (value: unknown): boolean =>
  value === undefined ||
  value === null ||
  (typeof value === 'string' && !hasVisibleText(value)) ||
  (Array.isArray(value) && value.length === 0);

/** The outcome of {@link checkValues}: merged values, problems, and user ids to check for membership. */
export interface CheckedValues {
  values: Record<string, unknown>;
  issues: FieldIssue[];
  /** `user` fields written: key → user id (the caller checks active membership). */
  users: Map<string, string>;
}

/**
 * Applies `patch` (key → value; `null` removes the key) on `previous` (empty for a new record)
 * against the entity type's definitions:
 * - a key must name an **active** definition (unknown or deactivated keys are refused; a
 *   deactivated key already on the record is kept as it is);
 * - each value is checked and normalised by {@link checkValue};
 * - every active `required` definition must end up non-blank — checked on each write of the
 *   custom fields, so a required field added later binds a record only when its custom fields are
 *   next written.
 * Keys are looked up in a `Map` (never on an object's prototype: `__proto__`, `constructor`).
 */
export function checkValues(
  rules: readonly CustomFieldRule[],
  patch: Record<string, unknown>,
  previous: Record<string, unknown> = {},
): CheckedValues {
  const byKey = new Map(rules.map((r) => [r.key, r]));
  const issues: FieldIssue[] = [];
  const users = new Map<string, string>();
  const values: Record<string, unknown> = {};
  for (const key of Object.keys(previous)) {
    Object.defineProperty(values, key, {
      value: previous[key],
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  const keys = Object.keys(patch);
  if (keys.length > MAX_DEFINITIONS_PER_TYPE)
    issues.push({
      pointer: '/customFields',
      detail: `at most ${MAX_DEFINITIONS_PER_TYPE} custom fields`,
    });
  for (const key of keys.slice(0, MAX_DEFINITIONS_PER_TYPE)) {
    const raw = patch[key];
    const rule = byKey.get(key);
    const pointer = valuePointer(key);
    if (raw === null) {
      if (!rule && !Object.prototype.hasOwnProperty.call(previous, key)) {
        issues.push({ pointer, detail: `${key} is not a custom field` });
        continue;
      }
      delete values[key];
      continue;
    }
    if (!rule) {
      issues.push({
        pointer,
        detail: `${key} is not a custom field`,
        meta: { rules: ['unknown'] },
      });
      continue;
    }
    if (!rule.isActive) {
      issues.push({
        pointer,
        detail: `${key} is deactivated and takes no new values`,
        meta: { rules: ['inactive'] },
      });
      continue;
    }
    const checked = checkValue(rule, raw);
    if ('detail' in checked) {
      issues.push({ pointer, detail: checked.detail, meta: { rules: [rule.type] } });
      continue;
    }
    Object.defineProperty(values, key, {
      value: checked.value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
    if (rule.type === 'user') users.set(key, checked.value as string);
  }
  for (const rule of rules) {
    if (!rule.isActive || !rule.required) continue;
    if (
      isBlank(Object.prototype.hasOwnProperty.call(values, rule.key) ? values[rule.key] : undefined)
    )
      if (!issues.some((i) => i.pointer === valuePointer(rule.key)))
        issues.push({
          pointer: valuePointer(rule.key),
          detail: `${rule.key} is required`,
          meta: { rules: ['required'] },
        });
  }
  return { values, issues, users };
}
