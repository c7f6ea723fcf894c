// Public surface of the search module (its outbox and index tables are plain SQL, no entities).
export { SearchModule, SearchWorkerModule } from './search.module';
export { createSearchBackend } from './search-backend.provider';
export { SearchOutboxRelay } from './search-outbox.relay';
export { SEARCH_TYPES, SearchType } from './searchable';
