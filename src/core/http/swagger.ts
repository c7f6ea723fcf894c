import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { ErrorEnvelopeDto } from './error-envelope.dto';

const ERROR_STATUSES: Record<string, string> = {
  '400': 'Malformed request (e.g. invalid JSON)',
  '422': 'Validation failed: one entry per field, with a JSON pointer',
  '429': 'Rate limited; see Retry-After',
  '500': 'Unexpected error (no internals are returned)',
};

/** The OpenAPI 3 document, built from the controllers' decorators. Served at /docs and committed. */
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
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, 'bearer')
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key' }, 'api-key')
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    extraModels: [ErrorEnvelopeDto],
    operationIdFactory: (controllerKey, methodKey) =>
      `${controllerKey.replace(/Controller$/, '')}_${methodKey}`,
  });
  // Every operation documents the envelope for the errors any route can produce.
  const envelopeRef = { $ref: '#/components/schemas/ErrorEnvelopeDto' };
  for (const pathItem of Object.values(document.paths)) {
    for (const operation of Object.values(pathItem) as { responses?: Record<string, unknown> }[]) {
      if (!operation || typeof operation !== 'object' || !operation.responses) continue;
      for (const [status, description] of Object.entries(ERROR_STATUSES)) {
        operation.responses[status] ??= {
          description,
          content: { 'application/json': { schema: envelopeRef } },
        };
      }
    }
  }
  return document;
}

export function setupSwagger(app: INestApplication, document: OpenAPIObject): void {
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs-json',
    customSiteTitle: 'Alees ERP API',
    swaggerOptions: { persistAuthorization: true },
  });
}
