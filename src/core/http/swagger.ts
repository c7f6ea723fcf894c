import type { INestApplication } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { ErrorEnvelopeDto } from './error-envelope.dto';
import { Ctor, enforceServerRules } from './openapi-enforcement';

type Json = Record<string, unknown>;
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;
const ENVELOPE_REF = { $ref: '#/components/schemas/ErrorEnvelopeDto' };

/** One example per error status, each with the code the server really answers with. */
const ERRORS: Record<string, { description: string; code: string; detail: string; extra?: Json }> =
  {
    '400': {
      description: 'Malformed request (invalid JSON, or a path id that is not a UUID)',
      code: 'malformed_json',
      detail: 'The request body is not valid JSON',
    },
    '401': {
      description: 'Missing, invalid or expired credentials',
      code: 'unauthorized',
      detail: 'Authentication is required',
    },
    '403': {
      description: 'The caller lacks a permission, or X-Organization-Id is not one of theirs',
      code: 'forbidden',
      detail: 'You do not have permission to do this',
    },
    '404': {
      description: 'Not found in this organization',
      code: 'not_found',
      detail: 'Resource not found',
    },
    '409': {
      description:
        'Conflicts with an existing record (a unique key, a reference) or a concurrent retry',
      code: 'conflict',
      detail: 'Another record already has this code',
      extra: { source: { pointer: '/code' }, meta: { field: 'code' } },
    },
    '412': {
      description: 'If-Match names a version that is no longer current',
      code: 'precondition_failed',
      detail: 'The resource was changed by someone else; reload it and retry',
    },
    '413': {
      description: 'The body is larger than the limit',
      code: 'payload_too_large',
      detail: 'The request body is too large',
    },
    '414': {
      description: 'A path segment is longer than 200 characters',
      code: 'uri_too_long',
      detail: 'A path segment is longer than 200 characters',
    },
    '415': {
      description: 'The body is not application/json',
      code: 'unsupported_media_type',
      detail: 'Unsupported content type; send application/json',
    },
    '422': {
      description: 'Validation failed: one entry per field, with a JSON pointer or parameter name',
      code: 'validation_error',
      detail: 'name must be shorter than or equal to 120 characters',
      extra: { source: { pointer: '/name' }, meta: { rules: ['length'] } },
    },
    '429': {
      description: 'Rate limited; see Retry-After',
      code: 'rate_limited',
      detail: 'Too many requests; slow down',
      extra: { meta: { retryAfterSeconds: 30 } },
    },
    '500': {
      description: 'Unexpected error (no internals are returned)',
      code: 'internal_server_error',
      detail: 'An unexpected error occurred; it has been logged',
    },
    '503': {
      description: 'A dependency (database, Redis, search) is unavailable; retry later',
      code: 'service_unavailable',
      detail: 'A dependency is unavailable; retry later',
    },
  };

/** Tags in reading order (sign in first), each described. */
const TAGS: [string, string][] = [
  ['auth', 'Sign in, tokens, two-factor authentication, password reset'],
  ['users', 'People who sign in, their profile and language'],
  ['organizations', 'Tenants and their tree'],
  ['access', 'Memberships, roles, permissions and API keys'],
  ['audit', 'The hash-chained audit trail of every change'],
  ['currencies', 'ISO 4217 currencies (global reference data)'],
  ['units-of-measure', 'Units and exact conversions (global reference data)'],
  ['contacts', 'Customers, suppliers and their addresses'],
  ['categories', 'Typed category trees'],
  ['tax', 'Tax jurisdictions, categories and dated rates'],
  ['products', 'The product catalogue'],
  ['content-translations', 'Translations of catalogue content'],
  ['warehouses', 'Warehouses and their stock locations'],
  ['stock', 'The append-only stock ledger and stock levels'],
  ['files', 'Uploads, downloads and attachments'],
  ['imports', 'Bulk imports from CSV/XLSX'],
  ['search', 'Full-text search across resources'],
  ['chat', 'Conversations and messages (also over the realtime socket)'],
  ['tasks', 'Background jobs and their progress'],
  ['schedules', 'Recurring jobs'],
  ['feature-flags', 'Feature flags per environment and organization'],
  ['system', 'Diagnostics'],
  ['health', 'Liveness and readiness probes'],
];

const HEADERS: Record<string, Json> = {
  OrganizationId: {
    name: 'X-Organization-Id',
    in: 'header',
    required: false,
    description:
      'The active organization (one of yours, else 403); defaults to your default membership',
    schema: { type: 'string', format: 'uuid' },
  },
  IfMatch: {
    name: 'If-Match',
    in: 'header',
    required: false,
    description: 'The ETag of your last read (e.g. "3"), or *: a stale version is a 412',
    schema: { type: 'string', pattern: '^(\\*|"\\d{1,15}")$' },
  },
  IdempotencyKey: {
    name: 'Idempotency-Key',
    in: 'header',
    required: false,
    description:
      'Replays the first response for 24 h to a retry with the same key and body; another body is a 422',
    schema: { type: 'string', pattern: '^[\\x21-\\x7e]{1,255}$' },
  },
  IdempotencyKeyWithoutSecret: {
    name: 'Idempotency-Key',
    in: 'header',
    required: false,
    description:
      'Replays the first response for 24 h to a retry with the same key and body (another body is a 422), ' +
      'with the secret fields named in `x-issues-secret` set to null: the secret is shown only once',
    schema: { type: 'string', pattern: '^[\\x21-\\x7e]{1,255}$' },
  },
};

const errorResponse = (status: string): Json => {
  const error = ERRORS[status];
  return {
    description: error.description,
    content: {
      'application/json': {
        schema: ENVELOPE_REF,
        example: { errors: [{ status, code: error.code, detail: error.detail, ...error.extra }] },
      },
    },
  };
};

/** The controllers of every module of the app (preview mode included). */
function controllersOf(app: INestApplication): Ctor[] {
  const modules = app.get(ModulesContainer, { strict: false });
  const controllers: Ctor[] = [];
  for (const module of modules.values()) {
    for (const wrapper of module.controllers.values()) {
      if (wrapper.metatype) controllers.push(wrapper.metatype as unknown as Ctor);
    }
  }
  return controllers;
}

/**
 * Per operation: security (`[]` when public), the headers it reads (`X-Organization-Id` when it
 * needs credentials, `If-Match` when it honours it, `Idempotency-Key` on POST) and every error
 * status it can answer, each with its own example.
 */
function describeOperation(method: string, path: string, operation: Json): void {
  const isPublic = operation['x-public'] === true;
  const parameters = (operation.parameters ?? []) as Json[];
  const addHeader = (key: string) => {
    if (!parameters.some((p) => p.in === 'header' && p.name === HEADERS[key].name))
      parameters.push({ $ref: `#/components/parameters/${key}` });
  };
  if (isPublic) operation.security = [];
  else addHeader('OrganizationId');
  if (operation['x-if-match']) addHeader('IfMatch');
  // `@IssuesSecret()` routes ignore the key; `@IssuesSecret('field')` replay without the secret.
  const secret = operation['x-issues-secret'] as true | string[] | undefined;
  if (method === 'post' && secret !== true)
    addHeader(secret ? 'IdempotencyKeyWithoutSecret' : 'IdempotencyKey');
  operation.parameters = parameters;

  const statuses = ['400', '422', '429', '500', '503'];
  if (!isPublic) statuses.push('401', '403');
  // A path parameter over the router's limit (200 characters) is refused before routing.
  if (path.includes('{')) statuses.push('404', '414');
  if (method !== 'get') statuses.push('409');
  if (operation['x-if-match']) statuses.push('412');
  // Any write may carry a body: the parsers answer 413 (too large) and 415 (not JSON) first.
  if (['post', 'put', 'patch'].includes(method)) statuses.push('413', '415');
  const responses = (operation.responses ?? {}) as Record<string, Json>;
  const bytes = operation['x-bytes'] === true;
  for (const status of statuses) {
    const existing = responses[status];
    const fresh = errorResponse(status);
    responses[status] = existing
      ? { ...fresh, description: existing.description || fresh.description }
      : fresh;
  }
  // Errors are JSON even where the success is bytes (`@ApiProduces('application/octet-stream')`).
  // (also where the route declared another type for its success, e.g. /metrics' text/plain).
  for (const [status, response] of Object.entries(responses)) {
    if (Number(status) >= 400) {
      response.content = ERRORS[status]
        ? errorResponse(status).content
        : { 'application/json': { schema: ENVELOPE_REF } };
    }
  }
  const success = Object.keys(responses).filter((s) => s.startsWith('2') || s.startsWith('3'));
  if (bytes && !success.some((status) => responses[status].content && status !== '204')) {
    // A streamed download (`@ApiProduces('application/octet-stream')`): bytes in the file's own type.
    responses[success.find((status) => status !== '204') ?? '200'] = {
      description: 'The bytes, in the file’s own content type',
      content: { '*/*': { schema: { type: 'string', format: 'binary' } } },
    };
  }
  operation.responses = Object.fromEntries(
    Object.entries(responses).sort(([a], [b]) => a.localeCompare(b)),
  );
}

/**
 * The OpenAPI 3 document, built from the controllers' decorators and then made as strict as the
 * server (see `enforceServerRules`): served at /docs and committed as `openapi.json`.
 */
export function buildOpenApiDocument(app: INestApplication, version: string): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Alees ERP API')
    .setDescription(
      'Multi-tenant ERP backend. Errors use one envelope: `{"errors":[{"status","code","detail","source","meta"}]}`. ' +
        'Lists take `page`, `size` (≤ 100), `sort` (allow-listed, `-` for descending) and typed filters. ' +
        'Mutable resources return `ETag`; send `If-Match` on PATCH/PUT/DELETE. POST accepts `Idempotency-Key`. ' +
        'Text: C0 control characters (U+0000-U+001F) are refused with 422 naming the field (`source.pointer`), ' +
        'parameter (`source.parameter`) or header (`source.header`); JSON body strings may contain tab, line feed ' +
        'and carriage return, query strings and path parameters none. Unique names, codes and SKUs are stored ' +
        'normalised (NFC, zero-width characters removed, whitespace collapsed, trimmed).',
    )
    .setVersion(version)
    .setLicense('Proprietary', 'https://alees.example/license')
    .addServer('{scheme}://{host}', 'Where the API runs (`npm start`: http://localhost:3000)', {
      scheme: { enum: ['http', 'https'], default: 'http' },
      host: { default: 'localhost:3000', description: 'host[:port] of the API' },
    })
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, 'bearer')
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key' }, 'api-key')
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    extraModels: [ErrorEnvelopeDto],
    operationIdFactory: (controllerKey, methodKey) =>
      `${controllerKey.replace(/Controller$/, '')}_${methodKey}`,
  });
  enforceServerRules(document, controllersOf(app));
  document.components ??= {};
  document.components.parameters = { ...document.components.parameters, ...HEADERS } as never;
  const used = new Set<string>();
  for (const [path, pathItem] of Object.entries(document.paths)) {
    for (const method of HTTP_METHODS) {
      const operation = (pathItem as Record<string, Json | undefined>)[method];
      if (!operation) continue;
      describeOperation(method, path, operation);
      for (const tag of (operation.tags ?? []) as string[]) used.add(tag);
    }
  }
  const known = TAGS.filter(([name]) => used.has(name)).map(([name, description]) => ({
    name,
    description,
  }));
  const rest = [...used]
    .filter((name) => !TAGS.some(([known]) => known === name))
    .sort()
    .map((name) => ({ name, description: `Operations on ${name}` }));
  document.tags = [...known, ...rest];
  return document;
}

export function setupSwagger(app: INestApplication, document: OpenAPIObject): void {
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs-json',
    customSiteTitle: 'Alees ERP API',
    swaggerOptions: { persistAuthorization: true },
  });
}
