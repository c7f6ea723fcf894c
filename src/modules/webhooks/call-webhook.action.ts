import { Injectable, OnModuleInit } from '@nestjs/common';
import { EgressRefusedError, HttpEgress } from '../../core/http-egress';
import {
  AutomationAction,
  AutomationActionContext,
  AutomationActionRegistry,
  AutomationStepResult,
  UNREADABLE_SECRET,
} from '../../core/automation';
import { signPayload, SIGNATURE_HEADER } from './webhook-signature';
import { USER_AGENT } from './webhook-dispatcher';
import { WebhooksErrors } from './webhooks.errors';

/** Parameters of `call_webhook`. */
export interface CallWebhookParams {
  url: string;
  /** The JSON body; default: the triggering event, target, rule and run ids. */
  body?: Record<string, unknown>;
  /** Extra headers (at most 10; names of letters, digits and `-`; not the ones we set). */
  headers?: Record<string, string>;
  /** When given, the body is signed as webhooks are (`X-Alees-Signature`). Never echoed. */
  secret?: string;
}

const HEADER_NAME = '^[A-Za-z0-9-]{1,64}$';
/** Headers the action sets or the transport owns: a rule may not override them. */
const RESERVED_HEADERS = new Set([
  'host',
  'content-length',
  'content-type',
  'transfer-encoding',
  'connection',
  'user-agent',
  'x-alees-signature',
  'x-alees-event',
  'x-alees-delivery',
]);
const MAX_HEADERS = 10;
const MAX_BODY_BYTES = 64 * 1024;

/**
 * The automation action `call_webhook` (issue 19). The rule's run-as user must hold
 * `webhooks:create` (it sends data out like a subscription would; 403 `call_webhook_not_permitted`). a POST of JSON to `url` through the SSRF-safe
 * {@link HttpEgress} (same policy as webhooks: public addresses only unless allow-listed, https in
 * production, 10 s, no redirects), signed with `secret` when given. It runs in the worker outside
 * any transaction (the automation runner calls it between its own transactions). A 2xx succeeds
 * with `{responseStatus, latencyMs}`; another answer or a network error fails the step (502
 * `webhook_call_failed`); a refused URL or bad headers fail it with 422. `preview` checks the URL
 * (DNS + policy) and the headers and answers what would be sent, without sending.
 */
@Injectable()
export class CallWebhookAction implements AutomationAction<CallWebhookParams>, OnModuleInit {
  readonly name = 'call_webhook';
  readonly description =
    'POST JSON to an external URL (public addresses only, https in production, 10 s timeout, optionally HMAC-signed like webhooks)';
  readonly paramsSchema = {
    type: 'object',
    additionalProperties: false,
    required: ['url'],
    properties: {
      url: { type: 'string', maxLength: 2048, pattern: '^https?://' },
      body: { type: 'object' },
      headers: {
        type: 'object',
        maxProperties: MAX_HEADERS,
        propertyNames: { pattern: HEADER_NAME },
        additionalProperties: { type: 'string', maxLength: 1000, pattern: '^[^\\r\\n\\u0000]*$' },
      },
      secret: { type: 'string', minLength: 16, maxLength: 200 },
    },
  };

  constructor(
    private readonly registry: AutomationActionRegistry,
    private readonly egress: HttpEgress,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  async preview(
    ctx: AutomationActionContext,
    params: CallWebhookParams,
  ): Promise<AutomationStepResult> {
    const request = await this.prepare(ctx, params);
    return {
      status: 'succeeded',
      output: {
        wouldSend: {
          method: 'POST',
          url: params.url,
          headerNames: Object.keys(request.headers).sort(),
          body: request.payload,
          signed: params.secret !== undefined,
        },
      },
    };
  }

  async run(
    ctx: AutomationActionContext,
    params: CallWebhookParams,
  ): Promise<AutomationStepResult> {
    const request = await this.prepare(ctx, params);
    let response;
    try {
      response = await this.egress.send({
        url: params.url,
        headers: request.headers,
        body: request.body,
      });
    } catch (error) {
      throw error instanceof EgressRefusedError
        ? WebhooksErrors.webhook_url_not_allowed(error.message, error.reason, error.range, '/url')
        : WebhooksErrors.webhook_call_failed(
            `The call failed: ${error instanceof Error ? error.message : String(error)}`,
            null,
          );
    }
    if (response.status < 200 || response.status >= 300) {
      throw WebhooksErrors.webhook_call_failed(
        `The receiver answered ${response.status}`,
        response.status,
      );
    }
    return {
      status: 'succeeded',
      output: { responseStatus: response.status, latencyMs: response.latencyMs },
    };
  }

  /** Validates headers and body, checks the URL now (DNS + policy), builds the signed request. */
  private async prepare(
    ctx: AutomationActionContext,
    params: CallWebhookParams,
  ): Promise<{ headers: Record<string, string>; body: string; payload: Record<string, unknown> }> {
    if (!ctx.actor.isSuperuser && !ctx.actor.permissions.has('webhooks:create')) {
      throw WebhooksErrors.call_webhook_not_permitted();
    }
    const extra = Object.entries(params.headers ?? {});
    const unreadable = [
      ...(params.secret === UNREADABLE_SECRET ? ['/secret'] : []),
      ...extra
        .filter(([, value]) => value === UNREADABLE_SECRET)
        .map(([name]) => `/headers/${name}`),
    ];
    if (unreadable.length > 0) {
      // Sealed at rest and no longer readable (the key changed, or the value was copied from
      // another rule): never sign or send with a stand-in.
      throw WebhooksErrors.invalid_webhook_call(
        'A secret of this call cannot be read (WEBHOOK_SECRETS_KEY changed?): save the rule again with it',
        unreadable[0],
      );
    }
    if (extra.length > MAX_HEADERS) {
      throw WebhooksErrors.invalid_webhook_call(`At most ${MAX_HEADERS} headers`, '/headers');
    }
    for (const [name, value] of extra) {
      if (!new RegExp(HEADER_NAME).test(name) || RESERVED_HEADERS.has(name.toLowerCase())) {
        throw WebhooksErrors.invalid_webhook_call(
          `Header ${name} may not be set`,
          `/headers/${name}`,
        );
      }
      if (typeof value !== 'string' || /[\r\n\0]/.test(value) || value.length > 1000) {
        throw WebhooksErrors.invalid_webhook_call(
          `Header ${name} has an invalid value`,
          `/headers/${name}`,
        );
      }
    }
    try {
      await this.egress.check(params.url);
    } catch (error) {
      if (error instanceof EgressRefusedError) {
        throw WebhooksErrors.webhook_url_not_allowed(
          error.message,
          error.reason,
          error.range,
          '/url',
        );
      }
      throw error;
    }
    const payload = params.body ?? {
      event: ctx.event ? { id: ctx.event.eventId, type: ctx.event.type } : null,
      target: ctx.target,
      organizationId: ctx.organizationId,
      automationRuleId: ctx.ruleId,
      automationRunId: ctx.runId,
    };
    const body = JSON.stringify(payload);
    if (Buffer.byteLength(body) > MAX_BODY_BYTES) {
      throw WebhooksErrors.invalid_webhook_call('The body is larger than 64 KB', '/body');
    }
    const headers: Record<string, string> = {
      ...Object.fromEntries(extra),
      'content-type': 'application/json',
      'user-agent': USER_AGENT,
      'x-alees-event': ctx.event?.type ?? 'automation.call_webhook',
      'x-alees-delivery': ctx.runId,
    };
    if (params.secret !== undefined) {
      headers[SIGNATURE_HEADER.toLowerCase()] = signPayload(params.secret, body, Date.now() / 1000);
    }
    return { headers, body, payload };
  }
}
