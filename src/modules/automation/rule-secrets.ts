import { UNREADABLE_SECRET } from '../../core/automation';
import { openStoredSecret, sealStoredSecret } from '../../core/secrets/sealed-secret';
import type { RuleAction } from './automation-rules';

/** What binds a rule's sealed values to that rule (AES-GCM additional data). */
const aadOf = (ruleId: string): string => `automation_rule:${ruleId}`;

/**
 * The secret-bearing params of an action, as stored: `secret` (`call_webhook`'s signing secret)
 * and each value of `headers` (e.g. an `Authorization` token for the receiver). Everything else
 * stays readable (the URL, the body template): the API shows it.
 */
function mapSecretParams(action: RuleAction, map: (value: string) => string): RuleAction {
  const params = action.params;
  if (!params || typeof params !== 'object') return action;
  let next = params;
  if (typeof params.secret === 'string') next = { ...next, secret: map(params.secret) };
  const headers = params.headers;
  if (headers && typeof headers === 'object' && !Array.isArray(headers)) {
    next = {
      ...next,
      headers: Object.fromEntries(
        Object.entries(headers as Record<string, unknown>).map(([name, value]) => [
          name,
          typeof value === 'string' ? map(value) : value,
        ]),
      ),
    };
  }
  return next === params ? action : { ...action, params: next };
}

/**
 * The actions as written to `automation_rules.actions`: every secret param (see
 * {@link mapSecretParams}) encrypted with AES-256-GCM under `key`
 * (`AppConfig.webhooks.secretsKey`) and bound to the rule's id, as `sealed:v1.<iv>.<tag>.<ct>`.
 * Values are always sealed, whatever they look like, so a client cannot pass a ciphertext of
 * its own choosing for the server to open.
 */
export function sealRuleSecrets(
  actions: readonly RuleAction[],
  key: Buffer,
  ruleId: string,
): RuleAction[] {
  return actions.map((action) =>
    mapSecretParams(action, (value) => sealStoredSecret(value, key, aadOf(ruleId))),
  );
}

/**
 * The actions as the service and the runner use them: every sealed value opened. A value without
 * the prefix is returned as it is (a row written before secrets were sealed). A sealed value that
 * does not open (another key — `WEBHOOK_SECRETS_KEY` changed — or one copied from another rule)
 * becomes {@link UNREADABLE_SECRET}: the rule still lists and reads (masked), its actions refuse
 * to run, and saving it needs the value again.
 */
export function openRuleSecrets(actions: unknown, key: Buffer, ruleId: string): RuleAction[] {
  return (actions as RuleAction[]).map((action) =>
    mapSecretParams(action, (value) => {
      try {
        return openStoredSecret(value, key, aadOf(ruleId));
      } catch {
        return UNREADABLE_SECRET;
      }
    }),
  );
}
