// Public surface of the search module (its index tables are plain SQL, no entities).
export { SearchModule, SearchWorkerModule } from './search.module';
export { createSearchBackend } from './search-backend.provider';
export {
  SearchIndexConsumer,
  SEARCHED_ENTITY_TYPES,
  searchChangesOf,
} from './search-index.consumer';
export { SEARCH_TYPES, SearchType } from './searchable';
