import { defineErrors, failure, forbidden, rule } from '../../core/http';

/** The webhooks module's error codes (README "Error codes"). */
export const WebhooksErrors = defineErrors({
  webhook_url_not_allowed: rule(
    (detail: string, reason: string, range?: string, pointer = '/url') => ({
      detail,
      pointer,
      meta: range ? { reason, range } : { reason },
    }),
  ),
  unknown_event_type: rule((pattern: string, index: number, problem: string) => ({
    detail:
      problem === 'shape'
        ? `"${pattern}" is not an event type: use <resource>.<verb> (product.created) or <resource>.*`
        : `"${pattern}" names no resource that publishes events`,
    pointer: `/eventTypes/${index}`,
    meta: { eventType: pattern },
  })),
  call_webhook_not_permitted: forbidden(() => ({
    detail:
      "call_webhook sends the organization's data to an outside URL: the rule's run-as user needs webhooks:create",
  })),
  invalid_webhook_call: rule((detail: string, pointer: string) => ({ detail, pointer })),
  webhook_call_failed: failure(502, (detail: string, status: number | null) => ({
    detail,
    meta: { responseStatus: status },
  })),
});
