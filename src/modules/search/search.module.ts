import { Module } from '@nestjs/common';
import { searchBackendProvider } from './search-backend.provider';
import { SearchController } from './search.controller';
import { SearchService } from './search.service';
import { SearchOutboxRelay } from './search-outbox.relay';
import { SearchOutboxRepository } from './search-outbox.repository';

/** See README.md in this folder. */
@Module({
  controllers: [SearchController],
  providers: [searchBackendProvider, SearchService],
  exports: [SearchService],
})
export class SearchModule {}

/** The worker side: drains the search outbox into the backend. */
@Module({
  providers: [searchBackendProvider, SearchOutboxRelay, SearchOutboxRepository],
  exports: [SearchOutboxRelay],
})
export class SearchWorkerModule {}
