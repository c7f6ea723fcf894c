import type { EntityManager } from 'typeorm';
import { returningRows } from '../../core/database';

/**
 * Ends every session of a user: revokes all of their refresh tokens that are still live, so a
 * stolen or remembered token stops working once the password changes (access tokens expire on
 * their own within `JWT_ACCESS_TOKEN_EXPIRE_MINUTES`). Every password change or reset goes through
 * here: the API's change and reset flows (`AuthService`), and the CLI's `create-admin` and
 * `reset-admin-password`. Run it inside the transaction that sets the password when there is one.
 *
 * @param runner where to run the UPDATE (pass the transaction's manager to make it atomic)
 * @param userId the user whose sessions end
 * @param at the revocation timestamp written to `refresh_tokens.revoked_at`
 * @returns how many refresh tokens were revoked
 */
export async function revokeAllSessionsOfUser(
  runner: Pick<EntityManager, 'query'>,
  userId: string,
  at: Date,
): Promise<number> {
  const rows = await returningRows<{ id: string }>(
    runner,
    `UPDATE refresh_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL RETURNING id`,
    [userId, at],
  );
  return rows.length;
}
