import { defineErrors, rule } from '../../core/http';

/** The followers module's error codes (README "Error codes"). */
export const FollowersErrors = defineErrors({
  follower_cannot_read_target: rule(() => ({
    detail: 'userId is not an active member who can read this record',
    pointer: '/userId',
  })),
});
