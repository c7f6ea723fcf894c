import { Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import type { AuditContext } from '../../core/auth';
import {
  assertVersionMatches,
  ExpectedVersion,
  NotFoundError,
  PreconditionFailedError,
} from '../../core/http';
import { TenantDatabase } from '../../core/tenancy';
import { AccessService } from '../access';
import { AuditService } from '../audit';
import type { CreateRoleDto, RoleDto, UpdateRoleDto } from './dto/role.dto';
import { RoleRow, RolesRepository } from './roles.repository';
import { RolesErrors } from './roles.errors';
import { RoleUsage } from './role-usage';

const toDto = (row: RoleRow): RoleDto => ({
  id: row.id,
  name: row.name,
  description: row.description,
  isSystem: row.is_system,
  organizationId: row.organization_id,
  permissions: row.permissions,
  version: row.version,
  createdAt: new Date(row.created_at).toISOString(),
  updatedAt: new Date(row.updated_at).toISOString(),
});

const permissionDiff = (before: string[], after: string[]) => ({
  added: after.filter((p) => !before.includes(p)),
  removed: before.filter((p) => !after.includes(p)),
});

/** Tenant-defined roles; system roles are visible to all and immutable. */
@Injectable()
export class RolesService {
  constructor(
    private readonly repository: RolesRepository,
    private readonly audit: AuditService,
    private readonly access: AccessService,
    private readonly db: TenantDatabase,
    private readonly usage: RoleUsage,
  ) {}

  async list(organizationId: string): Promise<RoleDto[]> {
    const rows = await this.db.read(organizationId, (m) => this.repository.list(m, organizationId));
    return rows.map(toDto);
  }

  async get(organizationId: string, id: string): Promise<RoleDto> {
    const row = await this.db.read(organizationId, (m) =>
      this.repository.find(m, organizationId, id),
    );
    if (!row) throw new NotFoundError('Role');
    return toDto(row);
  }

  /** For memberships and API keys: which of these role ids may be assigned in this organization. */
  assignable(organizationId: string, ids: string[]): Promise<Set<string>> {
    return this.db.read(organizationId, (m) => this.repository.assignable(m, organizationId, ids));
  }

  async create(
    organizationId: string,
    dto: CreateRoleDto,
    context: AuditContext,
  ): Promise<RoleDto> {
    const id = uuidv7();
    await this.db.run(organizationId, async (manager) => {
      await this.repository.insert(manager, organizationId, id, dto.name, dto.description ?? '');
      await this.repository.setPermissions(manager, organizationId, id, dto.permissions);
      await this.audit.record(manager, {
        organizationId,
        action: 'create',
        entityType: 'role',
        entityId: id,
        changes: { name: dto.name, permissions: permissionDiff([], dto.permissions) },
        context,
      });
    });
    return this.get(organizationId, id);
  }

  private async ownRole(organizationId: string, id: string): Promise<RoleRow> {
    const row = await this.db.read(organizationId, (m) =>
      this.repository.find(m, organizationId, id),
    );
    if (!row) throw new NotFoundError('Role');
    if (row.is_system) throw RolesErrors.system_role_immutable();
    return row;
  }

  async update(
    organizationId: string,
    id: string,
    dto: UpdateRoleDto,
    expectedVersion: ExpectedVersion,
    context: AuditContext,
  ): Promise<RoleDto> {
    const before = await this.ownRole(organizationId, id);
    assertVersionMatches(expectedVersion, before.version);
    // Compared as a set: the order permissions are sent in is not a change.
    const state = (role: { name: string; description: string; permissions: string[] }) => ({
      name: role.name,
      description: role.description,
      permissions: [...new Set(role.permissions)].sort(),
    });
    const current = await this.get(organizationId, id);
    await this.db.run(organizationId, (manager) =>
      this.audit.recordUpdate(
        manager,
        state(current),
        ['name', 'description', 'permissions'],
        async () => {
          const updated = await this.repository.update(
            manager,
            organizationId,
            id,
            before.version,
            dto,
          );
          if (!updated) throw new PreconditionFailedError();
          if (dto.permissions) {
            await this.repository.setPermissions(manager, organizationId, id, dto.permissions);
          }
          return state({
            name: dto.name ?? current.name,
            description: dto.description ?? current.description,
            permissions: dto.permissions ?? current.permissions,
          });
        },
        {
          organizationId,
          action: 'update',
          entityType: 'role',
          entityId: id,
          context,
          describe: (from, to) => {
            const changes: Record<string, unknown> = {};
            if (from.name !== to.name) changes.name = { from: from.name, to: to.name };
            if (from.description !== to.description) {
              changes.description = { from: from.description, to: to.description };
            }
            if (dto.permissions && from.permissions.join() !== to.permissions.join()) {
              changes.permissions = permissionDiff(current.permissions, dto.permissions);
            }
            return changes;
          },
        },
      ),
    );
    await this.access.invalidate();
    return this.get(organizationId, id);
  }

  async delete(
    organizationId: string,
    id: string,
    expectedVersion: ExpectedVersion,
    context: AuditContext,
  ): Promise<void> {
    const role = await this.ownRole(organizationId, id);
    assertVersionMatches(expectedVersion, role.version);
    const inUse = await this.db.run(organizationId, (m) => this.usage.inUse(m, organizationId, id));
    if (inUse) {
      throw RolesErrors.role_in_use();
    }
    await this.db.run(organizationId, async (manager) => {
      await this.repository.delete(manager, organizationId, id);
      await this.audit.record(manager, {
        organizationId,
        action: 'delete',
        entityType: 'role',
        entityId: id,
        changes: { name: role.name, permissions: permissionDiff(role.permissions, []) },
        context,
      });
    });
    await this.access.invalidate();
  }
}
