import { Column, Entity, PrimaryColumn } from 'typeorm';

/** `resource:action`, declared in code (permissions.registry.ts) and seeded. */
@Entity({ name: 'permissions' })
export class PermissionEntity {
  @PrimaryColumn({ type: 'text' }) code: string;
  @Column({ type: 'text', default: '' }) description: string;
}
