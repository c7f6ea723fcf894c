import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { filterSql, returningRows } from '../../core/database';
import { ListQuery } from '../../core/http';

export interface InvitationRow {
  id: string;
  organization_id: string;
  email: string;
  role_ids: string[];
  applies_to_descendants: boolean;
  expires_at: Date;
  invited_by: string | null;
  accepted_at: Date | null;
  accepted_by: string | null;
  revoked_at: Date | null;
  version: number;
  created_at: Date;
  updated_at: Date;
}

export type InvitationSort = 'createdAt' | 'email' | 'expiresAt';
export type InvitationFilter = 'email';

const COLUMNS = `i.id, i.organization_id, i.email, i.role_ids, i.applies_to_descendants, i.expires_at,
                 i.invited_by, i.accepted_at, i.accepted_by, i.revoked_at, i.version, i.created_at, i.updated_at`;
const SORT: Record<InvitationSort, string> = {
  createdAt: 'i.created_at',
  email: 'i.email',
  expiresAt: 'i.expires_at',
};
const PENDING = 'i.accepted_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > $2';

/**
 * The only SQL on `invitations`. Organization-scoped reads and writes take the organization id
 * first and run under row-level security; the one cross-organization lookup is by token hash
 * (the token is the invitee's proof, whatever organization issued it).
 */
@Injectable()
export class InvitationsRepository {
  /** Pending (not accepted, revoked or expired at `now`) invitations of one organization. */
  async listPending(
    manager: EntityManager,
    organizationId: string,
    now: Date,
    query: ListQuery<InvitationSort, InvitationFilter>,
  ): Promise<{ rows: InvitationRow[]; total: number }> {
    const conditions = ['i.organization_id = $1', PENDING];
    const parameters: unknown[] = [organizationId, now];
    if (query.filters.email !== undefined) {
      parameters.push(String(query.filters.email).toLowerCase());
      conditions.push(`i.email = $${parameters.length}`);
    }
    if (query.filter) conditions.push(filterSql(query.filter, parameters));
    const where = conditions.join(' AND ');
    const [{ total }] = await manager.query<{ total: number }[]>(
      `SELECT count(*)::int AS total FROM invitations i WHERE ${where}`,
      parameters,
    );
    const order = [...query.sort.map((s) => `${SORT[s.field]} ${s.direction}`), 'i.id'].join(', ');
    const rows = await manager.query<InvitationRow[]>(
      `SELECT ${COLUMNS} FROM invitations i WHERE ${where} ORDER BY ${order} LIMIT ${query.size} OFFSET ${query.offset}`,
      parameters,
    );
    return { rows, total };
  }

  async find(
    manager: EntityManager,
    organizationId: string,
    id: string,
  ): Promise<InvitationRow | undefined> {
    const [row] = await manager.query<InvitationRow[]>(
      `SELECT ${COLUMNS} FROM invitations i WHERE i.organization_id = $1 AND i.id = $2`,
      [organizationId, id],
    );
    return row;
  }

  async insert(
    manager: EntityManager,
    row: {
      id: string;
      organizationId: string;
      email: string;
      roleIds: string[];
      appliesToDescendants: boolean;
      tokenHash: string;
      expiresAt: Date;
      invitedBy: string | null;
    },
  ): Promise<void> {
    await manager.query(
      `INSERT INTO invitations (id, organization_id, email, role_ids, applies_to_descendants, token_hash, expires_at, invited_by)
       VALUES ($1, $2, $3, $4::uuid[], $5, $6, $7, $8)`,
      [
        row.id,
        row.organizationId,
        row.email,
        row.roleIds,
        row.appliesToDescendants,
        row.tokenHash,
        row.expiresAt,
        row.invitedBy,
      ],
    );
  }

  /** Revokes the pending invitations of `email` in this organization; returns their ids. */
  async revokePendingFor(
    manager: EntityManager,
    organizationId: string,
    email: string,
    now: Date,
  ): Promise<string[]> {
    const rows = await returningRows<{ id: string }>(
      manager,
      `UPDATE invitations i SET revoked_at = $2, version = version + 1, updated_at = now()
        WHERE i.organization_id = $1 AND ${PENDING} AND i.email = $3 RETURNING i.id`,
      [organizationId, now, email],
    );
    return rows.map((r) => r.id);
  }

  /** Revokes one pending invitation; false if it is not pending (or not this organization's). */
  async revoke(
    manager: EntityManager,
    organizationId: string,
    id: string,
    now: Date,
  ): Promise<boolean> {
    const rows = await returningRows<{ id: string }>(
      manager,
      `UPDATE invitations i SET revoked_at = $2, version = version + 1, updated_at = now()
        WHERE i.organization_id = $1 AND ${PENDING} AND i.id = $3 RETURNING i.id`,
      [organizationId, now, id],
    );
    return rows.length === 1;
  }

  /**
   * The pending invitation with this token hash, locked for the accepting transaction (two
   * concurrent accepts of one token: the second waits, then finds it accepted).
   */
  async lockPendingByTokenHash(
    manager: EntityManager,
    tokenHash: string,
    now: Date,
  ): Promise<InvitationRow | undefined> {
    const [row] = await manager.query<InvitationRow[]>(
      `SELECT ${COLUMNS} FROM invitations i WHERE i.token_hash = $1 AND ${PENDING} FOR UPDATE`,
      [tokenHash, now],
    );
    return row;
  }

  async markAccepted(manager: EntityManager, id: string, userId: string, now: Date): Promise<void> {
    await manager.query(
      `UPDATE invitations SET accepted_at = $3, accepted_by = $2, version = version + 1, updated_at = now() WHERE id = $1`,
      [id, userId, now],
    );
  }
}
