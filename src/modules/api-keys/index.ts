import { ApiKeyEntity } from './api-key.entity';

export { ApiKeysModule } from './api-keys.module';
export { ApiKeyEntity } from './api-key.entity';

/** The TypeORM entities whose tables this module owns (listed by the module registry). */
export const API_KEYS_ENTITIES = [ApiKeyEntity];
