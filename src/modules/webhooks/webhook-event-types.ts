/**
 * The resources whose events webhooks may subscribe to: the audit log's `entity_type` names that
 * publish domain events (src/modules/domain-events README "Event naming"), plus those of the
 * modules built beside this one (workflows, automation, documents, meetings). A subscription names
 * `<resource>.<verb>` (e.g. `product.created`) or `<resource>.*`; verbs are past-tense words and
 * are not listed (modules add verbs such as `comment.hidden` or `activity.overdue` freely).
 */
export const WEBHOOK_EVENT_RESOURCES = [
  'activity',
  'api_key',
  'attachment',
  'automation_rule',
  'category',
  'comment',
  'contact',
  'custom_field',
  'document',
  'file',
  'folder',
  'invitation',
  'meeting',
  'member_profile',
  'membership',
  'organization',
  'product',
  'role',
  'saved_filter',
  'schedule',
  'status',
  'stock_location',
  'stock_move',
  'tag',
  'tax_category',
  'tax_jurisdiction',
  'tax_rate',
  'user_profile',
  'warehouse',
  'webhook_subscription',
  'workflow',
] as const;

const KNOWN = new Set<string>(WEBHOOK_EVENT_RESOURCES);
const SHAPE = /^([a-z][a-z0-9_]{0,49})\.(\*|[a-z][a-z0-9_]{0,49})$/;

/** Why an event type pattern is refused, or null when it is accepted. */
export function eventTypeProblem(pattern: string): 'shape' | 'unknown_resource' | null {
  const match = SHAPE.exec(pattern);
  if (!match) return 'shape';
  return KNOWN.has(match[1]) ? null : 'unknown_resource';
}

/** Whether an event of `type` matches one of `patterns` (exact, or `<resource>.*`). */
export function matchesEventType(patterns: readonly string[], type: string): boolean {
  const dot = type.indexOf('.');
  const wildcard = dot > 0 ? `${type.slice(0, dot)}.*` : null;
  return patterns.some((p) => p === type || p === wildcard);
}
