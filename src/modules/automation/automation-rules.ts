import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { UNREADABLE_SECRET } from '../../core/automation';
import type { FieldIssue } from '../../core/http';

/** The trigger types of SPEC-P3 §8 this build accepts (see README "Triggers"). */
export const TRIGGER_TYPES = [
  'record.created',
  'record.updated',
  'record.deleted',
  'field.changed',
  'workflow.transitioned',
  'date_relative',
  'schedule',
  'manual',
] as const;
export type TriggerType = (typeof TRIGGER_TYPES)[number];

/** A rule's trigger as stored (`automation_rules.trigger`). */
export type Trigger =
  | { type: 'record.created' | 'record.updated' | 'record.deleted' | 'manual' }
  | {
      type: 'field.changed';
      field: string;
      from?: string | number | boolean | null;
      to?: string | number | boolean | null;
    }
  | { type: 'workflow.transitioned'; action?: string; to?: string }
  | { type: 'date_relative'; field: string; offsetDays: number }
  | { type: 'schedule'; cron: string };

/** A rule's action as stored: `type` names an action of the registry. */
export interface RuleAction {
  type: string;
  params: Record<string, unknown>;
}

/** What the API shows instead of an action's `secret` param (too short to pass as a new one). */
export const SECRET_MASK = '********';

/** `value` with every header value replaced by `replace(name, value)`. */
function mapHeaders(
  headers: unknown,
  replace: (name: string, value: unknown) => unknown,
): Record<string, unknown> | undefined {
  if (!headers || typeof headers !== 'object' || Array.isArray(headers)) return undefined;
  return Object.fromEntries(
    Object.entries(headers as Record<string, unknown>).map(([name, value]) => [
      name,
      replace(name, value),
    ]),
  );
}

/**
 * The actions as the API, the audit log and idempotency replays see them: a `secret` param
 * (`call_webhook`'s signing secret) and the values of `headers` (they carry the receiver's
 * credentials, e.g. `Authorization`) are write-only, answered as {@link SECRET_MASK}; header names
 * stay visible.
 */
export function maskSecrets(actions: readonly RuleAction[]): RuleAction[] {
  return actions.map((action) => {
    const params = action.params;
    if (!params) return action;
    const headers = mapHeaders(params.headers, (_name, value) =>
      typeof value === 'string' ? SECRET_MASK : value,
    );
    if (typeof params.secret !== 'string' && !headers) return action;
    return {
      ...action,
      params: {
        ...params,
        ...(typeof params.secret === 'string' ? { secret: SECRET_MASK } : {}),
        ...(headers ? { headers } : {}),
      },
    };
  });
}

/**
 * `next` with each masked value (the secret, a header value) replaced by the stored one of the
 * same action (same index, type and `url`; a header by its name), so a client that sends back what
 * it read keeps them; a mask with nothing to restore stays (a secret mask then fails the params
 * schema, 422; a header mask would be sent as it is, so it is refused the same way by
 * {@link unusableSecrets}). A new URL needs the secret and the header values again: the stored
 * ones would otherwise go, with bodies of the editor's choosing, to a receiver of their choosing.
 */
export function restoreSecrets(
  next: readonly RuleAction[],
  current: readonly RuleAction[],
): RuleAction[] {
  return next.map((action, index) => {
    const before = current[index];
    const params = action.params;
    if (
      !params ||
      before?.type !== action.type ||
      !before.params ||
      before.params.url !== params.url
    )
      return action;
    const storedHeaders = (before.params.headers ?? {}) as Record<string, unknown>;
    const headers = mapHeaders(params.headers, (name, value) =>
      value === SECRET_MASK && typeof storedHeaders[name] === 'string'
        ? storedHeaders[name]
        : value,
    );
    const secret =
      params.secret === SECRET_MASK && typeof before.params.secret === 'string'
        ? before.params.secret
        : params.secret;
    return {
      ...action,
      params: {
        ...params,
        ...(secret !== undefined ? { secret } : {}),
        ...(headers ? { headers } : {}),
      },
    };
  });
}

/**
 * The secret values a rule may not be saved with, as JSON pointers: header values still
 * {@link SECRET_MASK} after {@link restoreSecrets} (nothing stored behind them: the mask would be
 * sent as the value), and values stored sealed that no longer open ({@link UNREADABLE_SECRET}).
 */
export function unusableSecrets(actions: readonly RuleAction[]): string[] {
  const pointers: string[] = [];
  actions.forEach((action, index) => {
    const params = action.params ?? {};
    if (params.secret === UNREADABLE_SECRET) pointers.push(`/actions/${index}/params/secret`);
    const headers = params.headers;
    if (!headers || typeof headers !== 'object') return;
    for (const [name, value] of Object.entries(headers as Record<string, unknown>)) {
      if (value === SECRET_MASK || value === UNREADABLE_SECRET)
        pointers.push(`/actions/${index}/params/headers/${name}`);
    }
  });
  return pointers;
}

const FIELD = { type: 'string', pattern: '^[a-zA-Z][a-zA-Z0-9_.]{0,99}$' };
const NAME = { type: 'string', minLength: 1, maxLength: 100 };

/** JSON Schema (2020-12) of each trigger type, published in `GET /automation/catalog`. */
export const TRIGGER_SCHEMAS: Record<TriggerType, Record<string, unknown>> = {
  'record.created': plain('record.created'),
  'record.updated': plain('record.updated'),
  'record.deleted': plain('record.deleted'),
  manual: plain('manual'),
  'field.changed': {
    type: 'object',
    required: ['type', 'field'],
    additionalProperties: false,
    properties: {
      type: { const: 'field.changed' },
      field: FIELD,
      from: { type: ['string', 'number', 'boolean'], maxLength: 500 },
      to: { type: ['string', 'number', 'boolean'], maxLength: 500 },
    },
  },
  schedule: {
    type: 'object',
    required: ['type', 'cron'],
    additionalProperties: false,
    properties: {
      type: { const: 'schedule' },
      cron: { type: 'string', minLength: 9, maxLength: 100 },
    },
  },
  date_relative: {
    type: 'object',
    required: ['type', 'field', 'offsetDays'],
    additionalProperties: false,
    properties: {
      type: { const: 'date_relative' },
      field: FIELD,
      offsetDays: { type: 'integer', minimum: -365, maximum: 365 },
    },
  },
  'workflow.transitioned': {
    type: 'object',
    required: ['type'],
    additionalProperties: false,
    properties: { type: { const: 'workflow.transitioned' }, action: NAME, to: NAME },
  },
};

function plain(type: string): Record<string, unknown> {
  return {
    type: 'object',
    required: ['type'],
    additionalProperties: false,
    properties: { type: { const: type } },
  };
}

const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats(ajv);
const compiled = new Map<Record<string, unknown>, ValidateFunction>();

/**
 * Checks `value` against a JSON Schema (2020-12, ajv; compiled once per schema object) and
 * returns one issue per problem with its JSON pointer under `base` (e.g. `/actions/0/params`):
 * a missing property points at the property, an unknown one at itself. Empty when valid.
 */
export function schemaIssues(
  schema: Record<string, unknown>,
  value: unknown,
  base: string,
): FieldIssue[] {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  if (validate(value)) return [];
  return (validate.errors ?? []).map((error) => ({
    pointer: `${base}${pointerOf(error)}`,
    detail: `${pointerOf(error) || base || 'value'} ${error.message ?? 'is invalid'}`,
    meta: { rule: error.keyword },
  }));
}

function pointerOf(error: ErrorObject): string {
  const params = error.params as { missingProperty?: string; additionalProperty?: string };
  const child = params.missingProperty ?? params.additionalProperty;
  return child === undefined ? error.instancePath : `${error.instancePath}/${child}`;
}

/** 422 issues of a trigger (unknown type, extra or malformed properties), at `/trigger/...`. */
export function triggerIssues(trigger: unknown): FieldIssue[] {
  const type = (trigger as { type?: unknown } | null)?.type;
  if (typeof trigger !== 'object' || trigger === null || Array.isArray(trigger)) {
    return [{ pointer: '/trigger', detail: 'trigger must be an object with a type' }];
  }
  if (typeof type !== 'string' || !(TRIGGER_TYPES as readonly string[]).includes(type)) {
    return [
      {
        pointer: '/trigger/type',
        detail: `trigger type must be one of ${TRIGGER_TYPES.join(', ')}`,
        meta: { allowed: [...TRIGGER_TYPES] },
      },
    ];
  }
  return schemaIssues(TRIGGER_SCHEMAS[type as TriggerType], trigger, '/trigger');
}

/** The fields of a committed domain event the matcher reads. */
export interface MatchableEvent {
  type: string;
  entityType: string;
  entityId: string | null;
  changedFields: string[];
  data: Record<string, unknown>;
}

/**
 * The record a rule of `entityType` with `trigger` fires on for `event`, or null when it does not
 * fire: `record.<verb>` on `<entityType>.<verb>` (`record.updated` also on `<entityType>.transitioned`);
 * `field.changed` on such an update whose changedFields hold the field and, with `from`, whose
 * `data.previous` held that value before (`sameValue`: decimals by value, the rest as text); `to` is checked
 * in SQL with the condition, on the record as it is now;
 * `workflow.transitioned` on that event when its `data.target` is a record of `entityType` and
 * `action`/`to` (when set) equal `data.action`/`data.to`; `manual` never fires on events.
 */
export function matchTrigger(
  trigger: Trigger,
  entityType: string,
  event: MatchableEvent,
): { entityType: string; entityId: string } | null {
  const own =
    event.entityType === entityType && event.entityId
      ? { entityType, entityId: event.entityId }
      : null;
  switch (trigger.type) {
    case 'record.created':
      return event.type === `${entityType}.created` ? own : null;
    case 'record.updated':
      return updated(event, entityType) ? own : null;
    case 'record.deleted':
      return event.type === `${entityType}.deleted` ? own : null;
    case 'field.changed':
      if (!updated(event, entityType) || !event.changedFields.includes(trigger.field)) return null;
      if (
        trigger.from !== undefined &&
        !sameValue(previousValue(event, trigger.field), trigger.from)
      )
        return null;
      return own;
    case 'workflow.transitioned': {
      if (event.type !== 'workflow.transitioned') return null;
      const target = event.data.target as { entityType?: unknown; entityId?: unknown } | undefined;
      if (target?.entityType !== entityType || typeof target.entityId !== 'string') return null;
      if (trigger.action !== undefined && event.data.action !== trigger.action) return null;
      if (trigger.to !== undefined && event.data.to !== trigger.to) return null;
      return { entityType, entityId: target.entityId };
    }
    default:
      return null;
  }
}

/** What `field` held before the update (`data.previous`, set by `AuditService.recordUpdate`). */
function previousValue(event: MatchableEvent, field: string): unknown {
  const previous = event.data.previous as Record<string, unknown> | undefined;
  return previous?.[field];
}

const DECIMAL = /^-?\d+(\.\d+)?$/;

/** `12.5000` → `12.5`, `10.00` → `10`: decimals as the database stores them (scale 4) or a rule writes them. */
function canonicalDecimal(text: string): string {
  return text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
}

/**
 * A stored value equals a rule's scalar: null as null, decimals by value (`'10.0000'` = `'10.00'`
 * = `10`), anything else as text (`true` = `'true'`).
 */
export function sameValue(value: unknown, expected: string | number | boolean | null): boolean {
  if (value === null || value === undefined) return expected === null;
  if (expected === null) return false;
  // Objects and arrays (JSON fields) never equal a rule's scalar.
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean')
    return false;
  const [a, b] = [String(value), String(expected)];
  if (DECIMAL.test(a) && DECIMAL.test(b)) return canonicalDecimal(a) === canonicalDecimal(b);
  return a === b;
}

/**
 * Whether `event` is an update of a record of `entityType`: `<type>.updated`, or
 * `<type>.transitioned` (a status change through the owner's transition rules, e.g. products).
 */
function updated(event: MatchableEvent, entityType: string): boolean {
  return event.type === `${entityType}.updated` || event.type === `${entityType}.transitioned`;
}

/** The rule id of an event written by an automation run (`data.causation`), or null. */
export function causingRuleId(data: Record<string, unknown>): string | null {
  const causation = data.causation as { automationRuleId?: unknown } | undefined;
  return typeof causation?.automationRuleId === 'string' ? causation.automationRuleId : null;
}

/** The shortest interval between two runs of a `schedule` rule (SPEC-P3 §8: 5 minutes). */
export const MIN_SCHEDULE_GAP_SECONDS = 300;

/** Depth from which a matching rule records `loop_prevented` instead of running (SPEC-P3 §8). */
export const MAX_CAUSATION_DEPTH = 3;

/** Consecutive failed runs after which a rule is disabled (SPEC-P3 §8). */
export const MAX_CONSECUTIVE_FAILURES = 10;
