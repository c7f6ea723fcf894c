// Public surface of the profiles module.
import { MemberProfileEntity, UserProfileEntity } from './profile.entity';

export { ProfilesModule } from './profiles.module';
export { ProfilesService, AVATAR_MAX_BYTES } from './profiles.service';
export { MemberProfileEntity, UserProfileEntity } from './profile.entity';
export type { WorkingHours, WorkingInterval } from './profile.entity';

/** The TypeORM entities whose tables this module owns (listed by the module registry). */
export const PROFILES_ENTITIES = [UserProfileEntity, MemberProfileEntity];
