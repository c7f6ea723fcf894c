import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { BaseEntity } from '../../core/database';

/** System roles (Owner, Admin, Member, Viewer) have no organization; tenant roles have one. */
@Entity({ name: 'roles' })
@Index('uq_roles_name', { synchronize: false }) // unique per org on lower(name): in the migration
@Check(
  'ck_roles_system_scope',
  `("is_system" AND "organization_id" IS NULL) OR (NOT "is_system" AND "organization_id" IS NOT NULL)`,
)
export class RoleEntity extends BaseEntity {
  @Column({ type: 'uuid', nullable: true }) organizationId: string | null;
  @Column({ type: 'text' }) name: string;
  @Column({ type: 'text', default: '' }) description: string;
  @Column({ type: 'boolean', default: false }) isSystem: boolean;
}

@Entity({ name: 'role_permissions' })
export class RolePermissionEntity {
  @PrimaryColumn({ type: 'uuid' }) roleId: string;
  @PrimaryColumn({ type: 'text' }) permissionCode: string;
}
