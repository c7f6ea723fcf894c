// Public surface of the feature-flags module.
import { FeatureFlagEntity } from './feature-flag.entity';

export { FeatureFlagsModule } from './feature-flags.module';
export { FeatureFlagEntity } from './feature-flag.entity';

/** The TypeORM entities whose tables this module owns (listed by the module registry). */
export const FEATURE_FLAGS_ENTITIES = [FeatureFlagEntity];
