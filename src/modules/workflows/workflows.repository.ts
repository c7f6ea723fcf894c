import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { filterSql, returningRows } from '../../core/database';
import type { CompiledFilter } from '../../core/filters';
import type { ListQuery } from '../../core/http';
import type { WorkflowStatus } from './workflow.entity';

export interface WorkflowRow {
  id: string;
  organization_id: string;
  entity_type: string;
  name: string;
  revision: number;
  status: WorkflowStatus;
  activated_at: Date | null;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
  version: number;
}

export interface StateRow {
  id: string;
  workflow_id: string;
  code: string;
  is_initial: boolean;
  is_final: boolean;
  edit_role_ids: string[];
  position: number;
}

export interface TransitionRow {
  id: string;
  workflow_id: string;
  action: string;
  from_state_id: string;
  to_state_id: string;
  allowed_role_ids: string[];
  condition: unknown;
  require_comment: boolean;
  allow_self_approval: boolean;
  min_approvals: number;
  position: number;
}

export interface InstanceRow {
  id: string;
  workflow_id: string;
  workflow_revision: number;
  entity_type: string;
  entity_id: string;
  state_id: string;
  state_entry: number;
  started_by: string | null;
  started_at: Date;
  updated_at: Date;
  version: number;
}

export interface HistoryRow {
  id: string;
  action: string;
  from_code: string;
  to_code: string;
  actor_user_id: string | null;
  actor_api_key_id: string | null;
  comment: string | null;
  at: Date;
}

export interface PendingRow {
  instance_id: string;
  entity_type: string;
  entity_id: string;
  workflow_id: string;
  state_code: string;
  action: string;
  min_approvals: number;
  approvals: number;
  started_at: Date;
}

export type WorkflowSort = 'name' | 'revision' | 'createdAt' | 'updatedAt';
export type WorkflowFilter = 'entityType' | 'status';

const SORT_COLUMNS: Record<WorkflowSort, string> = {
  name: 'name',
  revision: 'revision',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
};

const WORKFLOW_COLUMNS = `id, organization_id, entity_type, name, revision, status, activated_at, created_by,
  created_at, updated_at, version`;
const STATE_COLUMNS = 'id, workflow_id, code, is_initial, is_final, edit_role_ids, position';
const TRANSITION_COLUMNS = `id, workflow_id, action, from_state_id, to_state_id, allowed_role_ids, condition,
  require_comment, allow_self_approval, min_approvals, position`;
const INSTANCE_COLUMNS = `id, workflow_id, workflow_revision, entity_type, entity_id, state_id, state_entry,
  started_by, started_at, updated_at, version`;

/** A table name a subject registered (code, never input): letters, digits and `_` only. */
const TABLE = /^[a-z_][a-z0-9_]*$/;

/**
 * The only SQL of the workflows module: its six tables, plus three reads of other modules' facts
 * that activation and the rules need and no service exposes within a transaction — which status
 * codes exist for a type (`statuses`), which roles exist in an organization (`roles`) and a
 * user's roles there (`memberships`/`membership_roles`, or an API key's role), and who created a
 * record (its `create` audit row). Every method takes the organization id first and puts it in
 * every WHERE.
 */
@Injectable()
export class WorkflowsRepository {
  /** Serialises definition writes of one (organization, entity type): revisions and activation. */
  async lockType(manager: EntityManager, orgId: string, entityType: string): Promise<void> {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 19))`, [
      `workflows:${orgId}:${entityType}`,
    ]);
  }

  async nextRevision(manager: EntityManager, orgId: string, entityType: string): Promise<number> {
    const [row] = await manager.query<{ next: number }[]>(
      `SELECT coalesce(max(revision), 0)::int + 1 AS next FROM workflows
        WHERE organization_id = $1 AND entity_type = $2`,
      [orgId, entityType],
    );
    return row.next;
  }

  async insertWorkflow(
    manager: EntityManager,
    orgId: string,
    row: {
      id: string;
      entityType: string;
      name: string;
      revision: number;
      createdBy: string | null;
    },
  ): Promise<void> {
    await manager.query(
      `INSERT INTO workflows (id, organization_id, entity_type, name, revision, created_by)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [row.id, orgId, row.entityType, row.name, row.revision, row.createdBy],
    );
  }

  /** Replaces the states and transitions of a (draft) workflow. */
  async replaceGraph(
    manager: EntityManager,
    orgId: string,
    workflowId: string,
    states: {
      id: string;
      code: string;
      isInitial: boolean;
      isFinal: boolean;
      editRoleIds: string[];
    }[],
    transitions: {
      action: string;
      fromStateId: string;
      toStateId: string;
      allowedRoleIds: string[];
      condition: unknown;
      requireComment: boolean;
      allowSelfApproval: boolean;
      minApprovals: number;
    }[],
  ): Promise<void> {
    await manager.query(
      `DELETE FROM workflow_transitions WHERE organization_id = $1 AND workflow_id = $2`,
      [orgId, workflowId],
    );
    await manager.query(
      `DELETE FROM workflow_states WHERE organization_id = $1 AND workflow_id = $2`,
      [orgId, workflowId],
    );
    if (states.length) {
      await manager.query(
        `INSERT INTO workflow_states (id, organization_id, workflow_id, code, is_initial, is_final, edit_role_ids, position)
         SELECT s.id, $1, $2, s.code, s.is_initial, s.is_final, s.edit_role_ids, s.position
           FROM jsonb_to_recordset($3::jsonb)
             AS s(id uuid, code varchar, is_initial boolean, is_final boolean, edit_role_ids uuid[], position int)`,
        [
          orgId,
          workflowId,
          JSON.stringify(
            states.map((s, position) => ({
              id: s.id,
              code: s.code,
              is_initial: s.isInitial,
              is_final: s.isFinal,
              edit_role_ids: `{${s.editRoleIds.join(',')}}`,
              position,
            })),
          ),
        ],
      );
    }
    if (transitions.length) {
      await manager.query(
        `INSERT INTO workflow_transitions (organization_id, workflow_id, action, from_state_id, to_state_id,
           allowed_role_ids, condition, require_comment, allow_self_approval, min_approvals, position)
         SELECT $1, $2, t.action, t.from_state_id, t.to_state_id, t.allowed_role_ids, t.condition,
                t.require_comment, t.allow_self_approval, t.min_approvals, t.position
           FROM jsonb_to_recordset($3::jsonb)
             AS t(action varchar, from_state_id uuid, to_state_id uuid, allowed_role_ids uuid[], condition jsonb,
                  require_comment boolean, allow_self_approval boolean, min_approvals int, position int)`,
        [
          orgId,
          workflowId,
          JSON.stringify(
            transitions.map((t, position) => ({
              action: t.action,
              from_state_id: t.fromStateId,
              to_state_id: t.toStateId,
              allowed_role_ids: `{${t.allowedRoleIds.join(',')}}`,
              condition: t.condition ?? null,
              require_comment: t.requireComment,
              allow_self_approval: t.allowSelfApproval,
              min_approvals: t.minApprovals,
              position,
            })),
          ),
        ],
      );
    }
  }

  async findWorkflow(
    manager: EntityManager,
    orgId: string,
    id: string,
    options: { forUpdate?: boolean } = {},
  ): Promise<WorkflowRow | undefined> {
    const [row] = await manager.query<WorkflowRow[]>(
      `SELECT ${WORKFLOW_COLUMNS} FROM workflows WHERE organization_id = $1 AND id = $2
       ${options.forUpdate ? 'FOR UPDATE' : ''}`,
      [orgId, id],
    );
    return row;
  }

  async activeWorkflow(
    manager: EntityManager,
    orgId: string,
    entityType: string,
  ): Promise<WorkflowRow | undefined> {
    const [row] = await manager.query<WorkflowRow[]>(
      `SELECT ${WORKFLOW_COLUMNS} FROM workflows
        WHERE organization_id = $1 AND entity_type = $2 AND status = 'active'`,
      [orgId, entityType],
    );
    return row;
  }

  /** The entity types with an active workflow (the write guard's cached answer). */
  async activeTypes(manager: EntityManager, orgId: string): Promise<string[]> {
    const rows = await manager.query<{ entity_type: string }[]>(
      `SELECT entity_type FROM workflows WHERE organization_id = $1 AND status = 'active'`,
      [orgId],
    );
    return rows.map((r) => r.entity_type);
  }

  states(manager: EntityManager, orgId: string, workflowIds: string[]): Promise<StateRow[]> {
    return manager.query<StateRow[]>(
      `SELECT ${STATE_COLUMNS} FROM workflow_states
        WHERE organization_id = $1 AND workflow_id = ANY($2::uuid[]) ORDER BY workflow_id, position`,
      [orgId, workflowIds],
    );
  }

  transitions(
    manager: EntityManager,
    orgId: string,
    workflowIds: string[],
  ): Promise<TransitionRow[]> {
    return manager.query<TransitionRow[]>(
      `SELECT ${TRANSITION_COLUMNS} FROM workflow_transitions
        WHERE organization_id = $1 AND workflow_id = ANY($2::uuid[]) ORDER BY workflow_id, position`,
      [orgId, workflowIds],
    );
  }

  async page(
    manager: EntityManager,
    orgId: string,
    query: ListQuery<WorkflowSort, WorkflowFilter>,
  ): Promise<{ rows: WorkflowRow[]; total: number }> {
    const parameters: unknown[] = [orgId];
    const conditions = ['organization_id = $1'];
    const add = (sql: string, value: unknown) => {
      parameters.push(value);
      conditions.push(sql.replace('?', `$${parameters.length}`));
    };
    if (query.filters.entityType !== undefined) add('entity_type = ?', query.filters.entityType);
    if (query.filters.status !== undefined) add('status = ?', query.filters.status);
    if (query.filter) conditions.push(filterSql(query.filter, parameters));
    const where = conditions.join(' AND ');
    const order = [
      ...query.sort.map((s) => `${SORT_COLUMNS[s.field]} ${s.direction}`),
      'id ASC',
    ].join(', ');
    const [{ total }] = await manager.query<{ total: number }[]>(
      `SELECT count(*)::int AS total FROM workflows WHERE ${where}`,
      parameters,
    );
    const rows = await manager.query<WorkflowRow[]>(
      `SELECT ${WORKFLOW_COLUMNS} FROM workflows WHERE ${where} ORDER BY ${order}
        LIMIT ${query.size} OFFSET ${query.offset}`,
      parameters,
    );
    return { rows, total };
  }

  /** Bumps the version (and sets name and status when given) at `version`; false when stale. */
  async touchWorkflow(
    manager: EntityManager,
    orgId: string,
    id: string,
    version: number,
    changes: { name?: string; status?: WorkflowStatus; activatedAt?: Date },
  ): Promise<boolean> {
    const rows = await returningRows<{ id: string }>(
      manager,
      `UPDATE workflows
          SET name = coalesce($4, name), status = coalesce($5, status),
              activated_at = coalesce($6, activated_at), version = version + 1, updated_at = now()
        WHERE organization_id = $1 AND id = $2 AND version = $3
        RETURNING id`,
      [
        orgId,
        id,
        version,
        changes.name ?? null,
        changes.status ?? null,
        changes.activatedAt ?? null,
      ],
    );
    return rows.length === 1;
  }

  async deleteWorkflow(manager: EntityManager, orgId: string, id: string): Promise<void> {
    await manager.query(`DELETE FROM workflows WHERE organization_id = $1 AND id = $2`, [
      orgId,
      id,
    ]);
  }

  async hasInstances(manager: EntityManager, orgId: string, workflowId: string): Promise<boolean> {
    const [row] = await manager.query<{ used: boolean }[]>(
      `SELECT EXISTS (SELECT 1 FROM workflow_instances WHERE organization_id = $1 AND workflow_id = $2) AS used`,
      [orgId, workflowId],
    );
    return row.used;
  }

  /** Of `codes`, those an active status (system or the organization's) defines for `entityType`. */
  async existingStatusCodes(
    manager: EntityManager,
    orgId: string,
    entityType: string,
    codes: string[],
  ): Promise<Set<string>> {
    const rows = await manager.query<{ code: string }[]>(
      `SELECT DISTINCT code FROM statuses
        WHERE (organization_id IS NULL OR organization_id = $1)
          AND (entity_type IS NULL OR entity_type = $2) AND is_active AND code = ANY($3::text[])`,
      [orgId, entityType, codes],
    );
    return new Set(rows.map((r) => r.code));
  }

  /** Of `ids`, the roles the organization can assign (system roles and its own). */
  async existingRoleIds(
    manager: EntityManager,
    orgId: string,
    ids: string[],
  ): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await manager.query<{ id: string }[]>(
      `SELECT id FROM roles WHERE (organization_id IS NULL OR organization_id = $1) AND id = ANY($2::uuid[])`,
      [orgId, ids],
    );
    return new Set(rows.map((r) => r.id));
  }

  /** The roles a user holds through their (unsuspended) membership of the organization itself. */
  async userRoleIds(manager: EntityManager, orgId: string, userId: string): Promise<string[]> {
    const rows = await manager.query<{ role_id: string }[]>(
      `SELECT mr.role_id FROM memberships m JOIN membership_roles mr ON mr.membership_id = m.id
        WHERE m.organization_id = $1 AND m.user_id = $2 AND m.suspended_at IS NULL`,
      [orgId, userId],
    );
    return rows.map((r) => r.role_id);
  }

  /** An API key's role in the organization (none when revoked or another tenant's). */
  async apiKeyRoleIds(manager: EntityManager, orgId: string, apiKeyId: string): Promise<string[]> {
    const rows = await manager.query<{ role_id: string }[]>(
      `SELECT role_id FROM api_keys WHERE organization_id = $1 AND id = $2`,
      [orgId, apiKeyId],
    );
    return rows.map((r) => r.role_id);
  }

  /** The user who created an API key of the organization (null when unknown or not its key). */
  async apiKeyCreator(
    manager: EntityManager,
    orgId: string,
    apiKeyId: string,
  ): Promise<string | null> {
    const [row] = await manager.query<{ created_by_user_id: string | null }[]>(
      `SELECT created_by_user_id FROM api_keys WHERE organization_id = $1 AND id = $2`,
      [orgId, apiKeyId],
    );
    return row?.created_by_user_id ?? null;
  }

  /**
   * Who created the record: the actor of its `create` audit row, or the creator of the API key
   * that made it (null when none).
   */
  async recordCreator(
    manager: EntityManager,
    orgId: string,
    entityType: string,
    entityId: string,
  ): Promise<string | null> {
    const [row] = await manager.query<{ actor_user_id: string | null }[]>(
      `SELECT COALESCE(a.actor_user_id, k.created_by_user_id) AS actor_user_id FROM audit_logs a
         LEFT JOIN api_keys k ON k.id = a.actor_api_key_id AND k.organization_id = a.organization_id
        WHERE a.organization_id = $1 AND a.entity_type = $2 AND a.entity_id = $3 AND a.action = 'create'
        ORDER BY a.created_at LIMIT 1`,
      [orgId, entityType, entityId],
    );
    return row?.actor_user_id ?? null;
  }

  /** Whether the record `entityId` of `table` satisfies the compiled condition. */
  async conditionHolds(
    manager: EntityManager,
    orgId: string,
    table: string,
    entityId: string,
    condition: CompiledFilter,
  ): Promise<boolean> {
    if (!TABLE.test(table)) throw new Error(`conditionHolds: bad table name ${table}`);
    const parameters: unknown[] = [orgId, entityId];
    const sql = filterSql(condition, parameters);
    const [row] = await manager.query<{ holds: boolean }[]>(
      `SELECT EXISTS (SELECT 1 FROM ${table} WHERE ${table}.organization_id = $1 AND ${table}.id = $2 AND ${sql}) AS holds`,
      parameters,
    );
    return row.holds;
  }

  async findInstance(
    manager: EntityManager,
    orgId: string,
    entityType: string,
    entityId: string,
    options: { forUpdate?: boolean } = {},
  ): Promise<InstanceRow | undefined> {
    const [row] = await manager.query<InstanceRow[]>(
      `SELECT ${INSTANCE_COLUMNS} FROM workflow_instances
        WHERE organization_id = $1 AND entity_type = $2 AND entity_id = $3 ${options.forUpdate ? 'FOR UPDATE' : ''}`,
      [orgId, entityType, entityId],
    );
    return row;
  }

  /** Starts an instance unless one exists (a concurrent start wins); true when this call did. */
  async insertInstance(
    manager: EntityManager,
    orgId: string,
    row: {
      workflowId: string;
      workflowRevision: number;
      entityType: string;
      entityId: string;
      stateId: string;
      startedBy: string | null;
    },
  ): Promise<boolean> {
    const rows = await returningRows<{ id: string }>(
      manager,
      `INSERT INTO workflow_instances (organization_id, workflow_id, workflow_revision, entity_type, entity_id, state_id, started_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (organization_id, entity_type, entity_id) DO NOTHING RETURNING id`,
      [
        orgId,
        row.workflowId,
        row.workflowRevision,
        row.entityType,
        row.entityId,
        row.stateId,
        row.startedBy,
      ],
    );
    return rows.length === 1;
  }

  /** Moves the instance (or, `stateId` null, only bumps its version), at `version`. */
  async updateInstance(
    manager: EntityManager,
    orgId: string,
    id: string,
    version: number,
    stateId: string | null,
  ): Promise<void> {
    const rows = await returningRows<{ id: string }>(
      manager,
      `UPDATE workflow_instances
          SET state_id = coalesce($4, state_id),
              state_entry = state_entry + CASE WHEN $4::uuid IS NULL THEN 0 ELSE 1 END,
              version = version + 1, updated_at = now()
        WHERE organization_id = $1 AND id = $2 AND version = $3 RETURNING id`,
      [orgId, id, version, stateId],
    );
    if (rows.length !== 1) throw new Error('workflow instance changed under its row lock');
  }

  async insertHistory(
    manager: EntityManager,
    orgId: string,
    row: {
      instanceId: string;
      action: string;
      fromCode: string;
      toCode: string;
      actorUserId: string | null;
      actorApiKeyId: string | null;
      comment: string | null;
    },
  ): Promise<void> {
    await manager.query(
      `INSERT INTO workflow_history (organization_id, instance_id, action, from_code, to_code, actor_user_id, actor_api_key_id, comment)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        orgId,
        row.instanceId,
        row.action,
        row.fromCode,
        row.toCode,
        row.actorUserId,
        row.actorApiKeyId,
        row.comment,
      ],
    );
  }

  history(manager: EntityManager, orgId: string, instanceId: string): Promise<HistoryRow[]> {
    return manager.query<HistoryRow[]>(
      `SELECT id, action, from_code, to_code, actor_user_id, actor_api_key_id, comment, at
         FROM workflow_history WHERE organization_id = $1 AND instance_id = $2 ORDER BY at, id`,
      [orgId, instanceId],
    );
  }

  /** Records an approval; false when this approver already approved (unique index). */
  async insertApproval(
    manager: EntityManager,
    orgId: string,
    row: {
      instanceId: string;
      transitionId: string;
      stateEntry: number;
      approverUserId: string;
      comment: string | null;
    },
  ): Promise<boolean> {
    const rows = await returningRows<{ id: string }>(
      manager,
      `INSERT INTO workflow_approvals (organization_id, instance_id, transition_id, state_entry, approver_user_id, comment)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (instance_id, state_entry, transition_id, approver_user_id) DO NOTHING RETURNING id`,
      [orgId, row.instanceId, row.transitionId, row.stateEntry, row.approverUserId, row.comment],
    );
    return rows.length === 1;
  }

  /** Approvers of each transition during the instance's current entry into its state. */
  async approvers(
    manager: EntityManager,
    orgId: string,
    instanceId: string,
    stateEntry: number,
  ): Promise<{ transition_id: string; approver_user_id: string }[]> {
    return manager.query(
      `SELECT transition_id, approver_user_id FROM workflow_approvals
        WHERE organization_id = $1 AND instance_id = $2 AND state_entry = $3 ORDER BY at, id`,
      [orgId, instanceId, stateEntry],
    );
  }

  /**
   * The caller's inbox: (instance, transition) pairs of records of `entityTypes` whose current
   * state has a role-restricted transition one of `roleIds` may take, which `userId` has not
   * approved in this entry into the state — and, where self-approval is refused, neither started
   * nor created (its `create` audit row).
   */
  async pending(
    manager: EntityManager,
    orgId: string,
    userId: string,
    roleIds: string[],
    entityTypes: string[],
    page: { size: number; offset: number },
  ): Promise<{ rows: PendingRow[]; total: number }> {
    const from = `
      FROM workflow_instances i
      JOIN workflow_states s ON s.id = i.state_id AND s.organization_id = i.organization_id
      JOIN workflow_transitions t ON t.from_state_id = i.state_id AND t.organization_id = i.organization_id
     WHERE i.organization_id = $1 AND i.entity_type = ANY($4::text[])
       AND t.allowed_role_ids && $3::uuid[]
       AND (t.allow_self_approval OR (i.started_by IS DISTINCT FROM $2::uuid
            AND NOT EXISTS (SELECT 1 FROM audit_logs c
                             WHERE c.organization_id = $1 AND c.entity_type = i.entity_type
                               AND c.entity_id = i.entity_id::text AND c.action = 'create'
                               AND c.actor_user_id = $2::uuid)))
       AND NOT EXISTS (SELECT 1 FROM workflow_approvals a
                        WHERE a.organization_id = $1 AND a.instance_id = i.id AND a.state_entry = i.state_entry
                          AND a.transition_id = t.id AND a.approver_user_id = $2::uuid)`;
    const parameters = [orgId, userId, roleIds, entityTypes];
    const [{ total }] = await manager.query<{ total: number }[]>(
      `SELECT count(*)::int AS total ${from}`,
      parameters,
    );
    const rows = await manager.query<PendingRow[]>(
      `SELECT i.id AS instance_id, i.entity_type, i.entity_id, i.workflow_id, s.code AS state_code, t.action,
              t.min_approvals, i.started_at,
              (SELECT count(*)::int FROM workflow_approvals a
                WHERE a.organization_id = $1 AND a.instance_id = i.id AND a.state_entry = i.state_entry
                  AND a.transition_id = t.id) AS approvals
         ${from}
        ORDER BY i.started_at, i.id, t.position LIMIT ${page.size} OFFSET ${page.offset}`,
      parameters,
    );
    return { rows, total };
  }

  /** Deletes the instance of a record being deleted (history and approvals cascade). */
  async deleteInstanceOf(
    manager: EntityManager,
    orgId: string,
    entityType: string,
    entityId: string,
  ): Promise<void> {
    await manager.query(
      `DELETE FROM workflow_instances WHERE organization_id = $1 AND entity_type = $2 AND entity_id = $3`,
      [orgId, entityType, entityId],
    );
  }

  /** The members of the organization holding any of `roleIds` (notification recipients). */
  async usersWithRoles(
    manager: EntityManager,
    orgId: string,
    roleIds: string[],
  ): Promise<string[]> {
    if (roleIds.length === 0) return [];
    const rows = await manager.query<{ user_id: string }[]>(
      `SELECT DISTINCT m.user_id FROM memberships m JOIN membership_roles mr ON mr.membership_id = m.id
        WHERE m.organization_id = $1 AND m.suspended_at IS NULL AND mr.role_id = ANY($2::uuid[])`,
      [orgId, roleIds],
    );
    return rows.map((r) => r.user_id);
  }

  /**
   * The state that decides whether the record may be edited: its instance's (any revision), else
   * the initial state of the active workflow of its type; undefined when neither exists.
   */
  async editState(
    manager: EntityManager,
    orgId: string,
    entityType: string,
    entityId: string,
  ): Promise<{ code: string; edit_role_ids: string[] } | undefined> {
    const [row] = await manager.query<{ code: string; edit_role_ids: string[] }[]>(
      `SELECT code, edit_role_ids FROM (
         SELECT 0 AS rank, s.code, s.edit_role_ids FROM workflow_instances i
           JOIN workflow_states s ON s.id = i.state_id AND s.organization_id = i.organization_id
          WHERE i.organization_id = $1 AND i.entity_type = $2 AND i.entity_id = $3
         UNION ALL
         SELECT 1, s.code, s.edit_role_ids FROM workflows w
           JOIN workflow_states s ON s.workflow_id = w.id AND s.organization_id = w.organization_id AND s.is_initial
          WHERE w.organization_id = $1 AND w.entity_type = $2 AND w.status = 'active'
       ) candidates ORDER BY rank LIMIT 1`,
      [orgId, entityType, entityId],
    );
    return row;
  }
}
