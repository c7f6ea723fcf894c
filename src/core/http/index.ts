export * from './errors';
export * from './list-query';
export * from './concurrency';
export { ErrorEnvelopeDto, ErrorObjectDto } from './error-envelope.dto';
export { ApiListQuery } from './api-list-query.decorator';
export { configureHttpApp } from './http-app';
export { buildOpenApiDocument } from './swagger';
export { HttpCoreModule } from './http-core.module';
