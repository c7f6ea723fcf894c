import { Module } from '@nestjs/common';
import { searchBackendProvider } from './search-backend.provider';
import { SearchController } from './search.controller';
import { SearchService } from './search.service';
import { SearchIndexConsumer } from './search-index.consumer';

/** See README.md in this folder. */
@Module({
  controllers: [SearchController],
  providers: [searchBackendProvider, SearchService],
  exports: [SearchService],
})
export class SearchModule {}

/** The worker side: the `search` domain-event consumer, keeping the backend's index current. */
@Module({
  providers: [searchBackendProvider, SearchIndexConsumer],
  exports: [SearchIndexConsumer],
})
export class SearchWorkerModule {}
