import { randomUUID } from 'node:crypto';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { sample } from 'openapi-sampler';
import RandExp from 'randexp';
import { Actor, actorFor, createTenant, login } from '../support/auth';
import { createUser } from '../factories/identity.factory';
import { createTestApp, TestApp } from '../support/test-app';

type Json = Record<string, unknown>;
interface Envelope {
  errors?: { status: string; code: string; detail: string; source?: Json }[];
}
interface Operation {
  method: 'post' | 'put' | 'patch';
  path: string;
  operation: Json;
}

/**
 * For every JSON write operation of the served document, a body generated from its schema
 * (openapi-sampler: examples, then types, formats, lengths, patterns, enums, bounds) must pass the
 * server's validation: no 400 and no 422 `validation_error`. A business rule's 422 (its own code)
 * and 401/403/404/409 are fine. A refusal here means the document is looser than the server.
 */
describe('OpenAPI: generated request bodies pass the server’s validation', () => {
  let t: TestApp;
  let admin: Actor;
  let document: { paths: Record<string, Record<string, Json>> } & Json;

  beforeAll(async () => {
    t = await createTestApp();
    const owner = await createTenant(t);
    const user = await createUser(t.dataSource, { isSuperuser: true });
    admin = actorFor(t, user, owner.organization, await login(t, user.email, user.password));
    document = (await t.http.get('/docs-json').expect(200)).body as typeof document;
  }, 60_000);
  afterAll(async () => t.close());

  /**
   * openapi-sampler fills types, formats, enums, lengths and bounds but not `pattern`: values that
   * break a pattern are regenerated from it (randexp), until the body satisfies its schema.
   */
  const generate = (schema: Json): unknown => {
    const body = sample(schema, { skipReadOnly: true }, document);
    const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });
    addFormats(ajv);
    ajv.addSchema({ components: document.components }, 'openapi');
    const validate = ajv.compile(
      JSON.parse(JSON.stringify(schema).replace(/"#\/components/g, '"openapi#/components')) as Json,
    );
    for (let round = 0; round < 5 && !validate(body); round++) {
      for (const error of validate.errors ?? []) {
        if (error.keyword !== 'pattern') continue;
        const keys = error.instancePath.split('/').slice(1);
        const last = keys.pop();
        let parent = body as Json;
        for (const key of keys) parent = parent[key] as Json;
        if (last !== undefined) parent[last] = new RandExp(String(error.params.pattern)).gen();
      }
    }
    expect({ schema, body, errors: validate.errors ?? null }).toEqual({
      schema,
      body,
      errors: null,
    });
    return body;
  };

  /** A concrete path for a template: each parameter sampled from its documented schema. */
  const concretePath = (path: string, operation: Json): string =>
    path.replace(/\{([^}]+)\}/g, (_, name: string) => {
      const parameter = ((operation.parameters ?? []) as Json[]).find(
        (p) => p.in === 'path' && p.name === name,
      );
      const schema = (parameter?.schema ?? { type: 'string' }) as Json;
      if (schema.format === 'uuid') return randomUUID();
      if (Array.isArray(schema.enum)) return String(schema.enum[0]);
      return 'zz-none';
    });

  const writeOperations = (): Operation[] => {
    const operations: Operation[] = [];
    for (const [path, item] of Object.entries(document.paths)) {
      for (const method of ['post', 'put', 'patch'] as const) {
        const operation = item[method] as Json | undefined;
        const body = (operation?.requestBody as Json | undefined)?.content as Json | undefined;
        if (operation && body?.['application/json']) operations.push({ method, path, operation });
      }
    }
    // Routes that end the session (logout, password and 2FA changes) run last.
    return operations.sort(
      (a, b) => Number(a.path.includes('/auth/')) - Number(b.path.includes('/auth/')),
    );
  };

  it('sends a schema-valid body to every JSON write operation: no 400, no validation_error', async () => {
    const operations = writeOperations();
    expect(operations.length).toBeGreaterThan(40);
    const refused: string[] = [];
    for (const { method, path, operation } of operations) {
      const media = ((operation.requestBody as Json).content as Json)['application/json'] as Json;
      const body = generate(media.schema as Json);
      const url = concretePath(path, operation);
      const res = await admin.request(method, url).send(body as object);
      const errors = (res.body as Envelope).errors ?? [];
      if (res.status === 400 || errors.some((e) => e.code === 'validation_error')) {
        refused.push(
          `${method.toUpperCase()} ${path} ${JSON.stringify(body)} → ${res.status} ${errors
            .map((e) => `${JSON.stringify(e.source)} ${e.detail}`)
            .join('; ')}`,
        );
      }
    }
    expect(refused).toEqual([]);
  }, 120_000);
});
