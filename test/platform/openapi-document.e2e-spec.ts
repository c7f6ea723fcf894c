import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createTestApp, TestApp } from '../support/test-app';

type Json = Record<string, unknown>;
interface Document extends Json {
  paths: Record<string, Record<string, Json>>;
  components: { schemas: Record<string, Json>; parameters: Record<string, Json> };
  tags: { name: string; description?: string }[];
  servers: Json[];
}

const run = promisify(execFile);
const WRITES = ['post', 'put', 'patch', 'delete'];

/** Every operation of the document with its method and path. */
const operations = (document: Document) =>
  Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => ['get', ...WRITES].includes(method))
      .map(([method, operation]) => ({ path, method, operation })),
  );
/** Names of the header parameters of an operation (inline or `$ref`'d components). */
const headerNames = (document: Document, operation: Json) =>
  ((operation.parameters ?? []) as Json[])
    .map((p) =>
      typeof p.$ref === 'string' ? document.components.parameters[p.$ref.split('/').pop()!] : p,
    )
    .filter((p) => p.in === 'header')
    .map((p) => p.name);

describe('OpenAPI document: lint-clean and as strict as the server', () => {
  let t: TestApp;
  let document: Document;

  beforeAll(async () => {
    t = await createTestApp();
    document = (await t.http.get('/docs-json').expect(200)).body as Document;
  }, 60_000);
  afterAll(async () => t.close());

  it('Redocly’s recommended ruleset reports 0 errors and 0 warnings on the served document', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'alees-openapi-'));
    try {
      const file = join(dir, 'openapi.json');
      writeFileSync(file, JSON.stringify(document));
      const cli = require.resolve('@redocly/cli/bin/cli.js');
      const result = await run(
        process.execPath,
        [cli, 'lint', file, '--extends=recommended', '--format=json'],
        { maxBuffer: 64 * 1024 * 1024, env: { ...process.env, REDOCLY_TELEMETRY: 'off' } },
      ).catch((error: { stdout: string }) => error);
      const report = JSON.parse(result.stdout.slice(result.stdout.indexOf('{'))) as {
        totals: { errors: number; warnings: number };
        problems: { ruleId: string; message: string }[];
      };
      expect(report.problems.map((p) => `${p.ruleId}: ${p.message}`)).toEqual([]);
      expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('declares servers, auth first among described tags, and security on every operation', () => {
    expect(document.servers.length).toBeGreaterThan(0);
    expect(document.tags[0].name).toBe('auth');
    expect(document.tags.every((tag) => (tag.description ?? '').length > 0)).toBe(true);
    for (const { path, method, operation } of operations(document)) {
      expect({ path, method, security: Array.isArray(operation.security) }).toEqual({
        path,
        method,
        security: true,
      });
      if (operation['x-public']) expect(operation.security).toEqual([]);
    }
  });

  it('declares X-Organization-Id on tenant operations, If-Match where honoured, Idempotency-Key on POST', () => {
    const missing: string[] = [];
    for (const { path, method, operation } of operations(document)) {
      const refs = headerNames(document, operation);
      if (!operation['x-public'] && !refs.includes('X-Organization-Id'))
        missing.push(`${method} ${path}: X-Organization-Id`);
      // `x-issues-secret: true`: the route ignores the key (each call issues a fresh secret).
      if (
        method === 'post' &&
        operation['x-issues-secret'] !== true &&
        !refs.includes('Idempotency-Key')
      )
        missing.push(`${method} ${path}: Idempotency-Key`);
      if (operation['x-issues-secret'] === true && refs.includes('Idempotency-Key'))
        missing.push(`${method} ${path}: advertises an Idempotency-Key it ignores`);
      if (operation['x-if-match']) {
        if (!refs.includes('If-Match')) missing.push(`${method} ${path}: If-Match`);
        if (!(operation.responses as Json)['412']) missing.push(`${method} ${path}: 412`);
      }
    }
    expect(missing).toEqual([]);
    const ifMatch = operations(document).filter((o) => o.operation['x-if-match']);
    expect(ifMatch.map((o) => `${o.method} ${o.path}`)).toEqual(
      expect.arrayContaining([
        'patch /api/v1/categories/{id}',
        'delete /api/v1/categories/{id}',
        'patch /api/v1/products/{id}',
      ]),
    );
  });

  it('gives each error status its own example code', () => {
    const codes = new Map<string, Set<string>>();
    for (const { operation } of operations(document)) {
      for (const [status, response] of Object.entries(operation.responses as Json)) {
        if (Number(status) < 400) continue;
        const content = (response as Json).content as Record<string, Json> | undefined;
        const example = content?.['application/json']?.example as
          { errors: { status: string; code: string }[] } | undefined;
        if (!example) continue;
        expect(example.errors[0].status).toBe(status);
        codes.set(status, (codes.get(status) ?? new Set()).add(example.errors[0].code));
      }
    }
    expect(Object.fromEntries([...codes].map(([s, c]) => [s, [...c]]))).toMatchObject({
      '401': ['unauthorized'],
      '403': ['forbidden'],
      '404': ['not_found'],
      '409': ['conflict'],
      '412': ['precondition_failed'],
      '422': ['validation_error'],
      '429': ['rate_limited'],
      '500': ['internal_server_error'],
    });
  });

  it('states the server’s rules: uuid ids, closed bodies, lengths, enums, list bounds, 409s, byte downloads', () => {
    const { schemas } = document.components;
    const category = document.paths['/api/v1/categories/{id}'];
    const idParam = (category.patch.parameters as Json[]).find((p) => p.name === 'id')!;
    expect(idParam.schema).toEqual({ type: 'string', format: 'uuid' });
    expect(category.patch.responses).toHaveProperty('409');
    expect(schemas.CreateCategoryDto).toMatchObject({
      additionalProperties: false,
      required: expect.arrayContaining(['type', 'name']),
      properties: {
        parentId: { format: 'uuid' },
        type: { enum: ['product', 'contact', 'document'] },
      },
    });
    expect(schemas.LoginDto).toMatchObject({
      additionalProperties: false,
      properties: { recoveryCode: { minLength: 8, maxLength: 64 }, email: { maxLength: 254 } },
    });
    // Every JSON request body is closed (the ValidationPipe forbids unknown fields).
    for (const { path, method, operation } of operations(document)) {
      const media = ((operation.requestBody as Json | undefined)?.content as Json | undefined)?.[
        'application/json'
      ] as Json | undefined;
      const ref = (media?.schema as Json | undefined)?.$ref as string | undefined;
      if (ref)
        expect({
          path,
          method,
          closed: schemas[ref.split('/').pop()!].additionalProperties,
        }).toEqual({
          path,
          method,
          closed: false,
        });
    }
    const products = (document.paths['/api/v1/products'].get.parameters as Json[]).reduce<
      Record<string, Json>
    >((all, p) => ({ ...all, [p.name as string]: p.schema as Json }), {});
    expect(products.page).toMatchObject({ maximum: 1_000_000 });
    expect(products.size).toMatchObject({ maximum: 100 });
    expect(new RegExp(products.sort.pattern as string).test('-createdAt,name')).toBe(true);
    expect(new RegExp(products.sort.pattern as string).test('secret')).toBe(false);
    const download = document.paths['/api/v1/files/{id}/content'].get.responses as Record<
      string,
      Json
    >;
    expect(Object.keys(download['200'].content as Json)).toEqual(['*/*']);
    expect(Object.keys(download['404'].content as Json)).toEqual(['application/json']);
    expect(Object.keys(download['401'].content as Json)).toEqual(['application/json']);
  });
});
