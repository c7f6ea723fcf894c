import type * as Elasticsearch from '@elastic/elasticsearch';
import type { Provider } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../core/config';
import { TenantDatabase } from '../../core/tenancy';
import { ElasticsearchSearchBackend } from './elasticsearch-search.backend';
import { PostgresSearchBackend } from './postgres-search.backend';
import { SEARCH_BACKEND, SearchBackend } from './searchable';

/**
 * The backend `SEARCH_BACKEND` names: PostgreSQL full-text (default) or Elasticsearch. Takes the
 * pool itself because the CLI (`reindex`) has no Nest container; the backends reach data through
 * `TenantDatabase` over it, and the PostgreSQL one keeps the pool for `REINDEX CONCURRENTLY` only.
 */
export function createSearchBackend(config: AppConfig, dataSource: DataSource): SearchBackend {
  const db = new TenantDatabase(dataSource);
  if (config.search.backend === 'elasticsearch') {
    // Required only with this backend: the client and its dependencies (undici, apache-arrow) are
    // ~330 modules that a PostgreSQL-search process (and every e2e test file) never uses.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Client } = require('@elastic/elasticsearch') as typeof Elasticsearch;
    return new ElasticsearchSearchBackend(
      new Client({ node: config.search.elasticsearchUrl }),
      db,
      config.search.indexPrefix,
    );
  }
  return new PostgresSearchBackend(db, dataSource);
}

export const searchBackendProvider: Provider = {
  provide: SEARCH_BACKEND,
  inject: [AppConfig, getDataSourceToken()],
  useFactory: createSearchBackend,
};
