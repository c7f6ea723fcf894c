import { Global, Module } from '@nestjs/common';
import { SavedFilterSource } from '../../core/filters';
import { AuditModule } from '../audit';
import { SavedFiltersController } from './saved-filters.controller';
import { SavedFiltersRepository } from './saved-filters.repository';
import { SavedFiltersService, SavedFiltersSource } from './saved-filters.service';

/**
 * See README.md in this folder. Global because core's `ListQueryParser` (every list's
 * `?savedFilterId=`) asks for the abstract `SavedFilterSource` this module implements.
 */
@Global()
@Module({
  imports: [AuditModule],
  controllers: [SavedFiltersController],
  providers: [
    SavedFiltersService,
    SavedFiltersRepository,
    SavedFiltersSource,
    { provide: SavedFilterSource, useExisting: SavedFiltersSource },
  ],
  exports: [SavedFiltersService, SavedFilterSource],
})
export class SavedFiltersModule {}
