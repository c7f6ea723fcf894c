// Public surface of the followers module.
import { FollowerEntity } from './follower.entity';

export { FollowersModule, FollowersServiceModule } from './followers.module';
export { FollowersService } from './followers.service';
export type { FollowTarget } from './followers.service';
export type { FollowReason } from './followers.repository';
export { FollowerEntity } from './follower.entity';

/** The TypeORM entities whose tables this module owns (listed by the module registry). */
export const FOLLOWERS_ENTITIES = [FollowerEntity];
