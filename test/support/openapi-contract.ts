import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

type Json = Record<string, unknown>;

/** An OpenAPI 3.0 document as served at `/docs-json` (only what the validator reads). */
export interface OpenApiDocument {
  paths: Record<string, Record<string, Json>>;
  components?: { schemas?: Record<string, Json> };
}

/** What the contract checks about one real response. */
export interface ObservedResponse {
  method: string;
  url: string;
  status: number;
  contentType?: string;
  body: unknown;
}

const OPERATION_METHODS = new Set(['get', 'put', 'post', 'delete', 'patch']);

/** A path segment as a pattern: `{param}` parts match one segment's text, the rest literally. */
const segmentPattern = (segment: string): string =>
  segment
    .split(/(\{[^}]+\})/)
    .map((part) => (part.startsWith('{') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');

/**
 * Path templates of the document, most specific first: literal segments beat `{params}`, and a
 * parameter with a literal suffix (`{id}.ics`) beats a bare one (`{id}`).
 */
function compileTemplates(paths: Record<string, unknown>) {
  return Object.keys(paths)
    .map((template) => ({
      template,
      pattern: new RegExp(`^${template.split('/').map(segmentPattern).join('/')}/?$`),
      rank: template
        .split('/')
        .map((s) => (!s.includes('{') ? '3' : /^\{[^}]+\}$/.test(s) ? '1' : '2'))
        .join(''),
    }))
    .sort((a, b) => (a.rank < b.rank ? 1 : a.rank > b.rank ? -1 : 0));
}

/**
 * Validates real responses against the served OpenAPI document with ajv (OpenAPI 3.0 schemas:
 * `nullable`, formats from ajv-formats): the status must be documented for the operation, and a
 * JSON body must match the documented schema. Responses of paths or methods the document does
 * not describe (unknown routes, 405s, probes) are not an operation's and are skipped.
 */
export class OpenApiResponseValidator {
  private readonly ajv: Ajv;
  private readonly templates: ReturnType<typeof compileTemplates>;
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(private readonly document: OpenApiDocument) {
    this.ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });
    addFormats(this.ajv);
    this.ajv.addFormat('binary', true);
    this.ajv.addSchema(
      { components: nullableAsAnyOf(document.components ?? {}) as Json },
      'openapi',
    );
    this.templates = compileTemplates(document.paths);
  }

  /** The problems with one response; empty when it matches the document. */
  check(response: ObservedResponse): string[] {
    const method = response.method.toLowerCase();
    if (!OPERATION_METHODS.has(method)) return [];
    const path = response.url.replace(/^https?:\/\/[^/]+/, '').split('?')[0];
    const match = this.templates.find((t) => t.pattern.test(path));
    if (!match) return [];
    const operation = this.document.paths[match.template][method];
    if (!operation) return [];
    const where = `${response.method.toUpperCase()} ${match.template} → ${response.status}`;
    const responses = (operation.responses ?? {}) as Record<string, Json>;
    const documented =
      responses[String(response.status)] ??
      responses[`${String(response.status)[0]}XX`] ??
      responses.default;
    if (!documented) {
      return [`${where}: status not documented (documented: ${Object.keys(responses).join(', ')})`];
    }
    const content = (documented.content ?? {}) as Record<string, Json>;
    const type = (response.contentType ?? '').split(';')[0].trim().toLowerCase();
    if (Object.keys(content).length === 0) {
      return response.body && type && response.status !== 204 && hasContent(response.body)
        ? [`${where}: a ${type} body where the document declares none`]
        : [];
    }
    if (!type) return [];
    const media =
      content[type] ??
      (type.endsWith('json') ? content['application/json'] : undefined) ??
      content[`${type.split('/')[0]}/*`] ??
      content['*/*'];
    if (!media) {
      return [`${where}: content type ${type} not documented (${Object.keys(content).join(', ')})`];
    }
    if (!type.endsWith('json') || !media.schema) return [];
    let body = response.body;
    if (Buffer.isBuffer(body) || typeof body === 'string') {
      // A test that buffered the raw bytes (downloads): parse the JSON error it got.
      try {
        body = JSON.parse(body.toString()) as unknown;
      } catch {
        return [`${where}: the ${type} body is not JSON`];
      }
    }
    const validate = this.validatorFor(
      `${match.template} ${method} ${response.status}`,
      media.schema,
    );
    if (validate(body)) return [];
    return (validate.errors ?? []).map(
      (error) =>
        `${where}: body${error.instancePath} ${error.message ?? ''} ${JSON.stringify(error.params)}`,
    );
  }

  private validatorFor(key: string, schema: unknown): ValidateFunction {
    let validate = this.compiled.get(key);
    if (!validate) {
      validate = this.ajv.compile(nullableAsAnyOf(rebase(schema)) as Json);
      this.compiled.set(key, validate);
    }
    return validate;
  }
}

const hasContent = (body: unknown): boolean =>
  typeof body === 'string' ? body.length > 0 : !!body && Object.keys(body).length > 0;

/** `#/components/...` refs inside an operation point into the `openapi` schema added to ajv. */
function rebase(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(rebase);
  if (!node || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node).map(([key, value]) =>
      key === '$ref' && typeof value === 'string' && value.startsWith('#/')
        ? [key, `openapi${value}`]
        : [key, rebase(value)],
    ),
  );
}

/**
 * OpenAPI 3.0's `nullable: true` as JSON Schema: `anyOf: [null, the rest]` (also where it sits
 * next to `allOf: [{$ref}]`, which is how @nestjs/swagger writes a nullable nested DTO).
 */
function nullableAsAnyOf(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(nullableAsAnyOf);
  if (!node || typeof node !== 'object') return node;
  const entries = Object.entries(node).map(([key, value]) => [key, nullableAsAnyOf(value)]);
  const converted = Object.fromEntries(entries) as Json;
  if (converted.nullable !== true) return converted;
  const { nullable: _nullable, ...rest } = converted;
  return { anyOf: [{ type: 'null' }, rest] };
}

/** Problems seen since the last `takeContractViolations()` (one per response that broke the contract). */
const violations: string[] = [];

export function recordContractViolations(problems: string[]): void {
  violations.push(...problems);
}

export function takeContractViolations(): string[] {
  return violations.splice(0, violations.length);
}
