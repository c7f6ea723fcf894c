import { Module } from '@nestjs/common';
import { AuditModule } from '../audit';
import { ContentTranslationsController } from './content-translations.controller';
import { ContentTranslationsRepository } from './content-translations.repository';
import { ContentTranslationsService } from './content-translations.service';
import { TranslatableTargets } from './translatable-targets';

/** See README.md in this folder. */
@Module({
  imports: [AuditModule],
  controllers: [ContentTranslationsController],
  providers: [ContentTranslationsService, ContentTranslationsRepository, TranslatableTargets],
  exports: [ContentTranslationsService, TranslatableTargets],
})
export class ContentTranslationsModule {}
