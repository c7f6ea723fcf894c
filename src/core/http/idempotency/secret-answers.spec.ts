import { readFileSync } from 'node:fs';
import { join } from 'node:path';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * Property names that carry a secret shown once (an API key, a signing secret, a share or feed
 * token, session tokens, TOTP material). A POST answering one must say how `Idempotency-Key`
 * treats it (`@IssuesSecret`), or the secret would be stored in `idempotency_keys` for 24 h.
 */
const SECRET_NAMES = new Set([
  'key',
  'secret',
  'token',
  'accessToken',
  'refreshToken',
  'recoveryCodes',
  'otpauthUrl',
]);

/** Properties with a secret-like name that are identifiers, not secrets (route: names). */
const NOT_SECRETS: Record<string, string[]> = {
  '/api/v1/feature-flags': ['key'], // the flag's code, e.g. `billing.invoice_auto_generate`
  '/api/v1/custom-fields': ['key'], // the field's slug, e.g. `color`
};

const document = JSON.parse(
  readFileSync(join(__dirname, '../../../../openapi.json'), 'utf8'),
) as Json;

function resolve(schema: Json | undefined): Json | undefined {
  if (!schema?.$ref) return schema;
  const name = String(schema.$ref).split('/').pop()!;
  return document.components.schemas[name] as Json;
}

/** Every property name of a schema, through $ref and allOf (one level of nesting). */
function propertyNames(schema: Json | undefined): string[] {
  const resolved = resolve(schema);
  if (!resolved) return [];
  const own = Object.keys((resolved.properties ?? {}) as Json);
  const inherited = ((resolved.allOf ?? []) as Json[]).flatMap(propertyNames);
  return [...own, ...inherited];
}

describe('POST answers that carry a secret', () => {
  const operations = Object.entries(document.paths as Json).flatMap(([path, item]) =>
    item.post ? [{ path, operation: item.post as Json }] : [],
  );

  it('finds the POST routes of the document', () => {
    expect(operations.length).toBeGreaterThan(50);
  });

  it('are marked @IssuesSecret, so the secret never lands in idempotency_keys', () => {
    const unmarked: string[] = [];
    for (const { path, operation } of operations) {
      const success = Object.entries((operation.responses ?? {}) as Json).filter(([status]) =>
        status.startsWith('2'),
      );
      const names = success.flatMap(([, response]) =>
        propertyNames((response as Json).content?.['application/json']?.schema as Json),
      );
      const secrets = names.filter(
        (name) => SECRET_NAMES.has(name) && !NOT_SECRETS[path]?.includes(name),
      );
      if (secrets.length === 0) continue;
      const marker = operation['x-issues-secret'] as true | string[] | undefined;
      if (marker === true) continue;
      const missing = secrets.filter((name) => !marker?.includes(name));
      if (missing.length) unmarked.push(`POST ${path}: ${missing.join(', ')}`);
    }
    expect(unmarked).toEqual([]);
  });

  it('advertise Idempotency-Key only where it applies', () => {
    const wrong: string[] = [];
    for (const { path, operation } of operations) {
      const headers = ((operation.parameters ?? []) as Json[]).map((p) => String(p.$ref ?? p.name));
      const marker = operation['x-issues-secret'] as true | string[] | undefined;
      const advertised = headers.some(
        (h) => h.includes('IdempotencyKey') || h === 'Idempotency-Key',
      );
      if (advertised !== (marker !== true)) wrong.push(`POST ${path}: advertised ${advertised}`);
      if (
        Array.isArray(marker) &&
        !headers.includes('#/components/parameters/IdempotencyKeyWithoutSecret')
      )
        wrong.push(`POST ${path}: not told the secret is not replayed`);
    }
    expect(wrong).toEqual([]);
  });
});
