// Public surface of the content-translations module.
import { ContentTranslationEntity } from './content-translation.entity';

export { ContentTranslationsModule } from './content-translations.module';
export { ContentTranslationsService } from './content-translations.service';
export { TranslatableTargets } from './translatable-targets';
export { ContentTranslationEntity } from './content-translation.entity';

/** The TypeORM entities whose tables this module owns (listed by the module registry). */
export const CONTENT_TRANSLATIONS_ENTITIES = [ContentTranslationEntity];
