import { Client } from '@elastic/elasticsearch';
import type { Provider } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../core/config';
import { ElasticsearchSearchBackend } from './elasticsearch-search.backend';
import { PostgresSearchBackend } from './postgres-search.backend';
import { SEARCH_BACKEND, SearchBackend } from './searchable';

/** The backend `SEARCH_BACKEND` names: PostgreSQL full-text (default) or Elasticsearch. */
export function createSearchBackend(config: AppConfig, dataSource: DataSource): SearchBackend {
  if (config.search.backend === 'elasticsearch') {
    return new ElasticsearchSearchBackend(
      new Client({ node: config.search.elasticsearchUrl }),
      dataSource,
      config.search.indexPrefix,
    );
  }
  return new PostgresSearchBackend(dataSource);
}

export const searchBackendProvider: Provider = {
  provide: SEARCH_BACKEND,
  inject: [AppConfig, getDataSourceToken()],
  useFactory: createSearchBackend,
};
