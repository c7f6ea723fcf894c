import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** Tenant-independent reference data (company, branch, department, ...), keyed by code. */
@Entity({ name: 'organization_types' })
export class OrganizationTypeEntity {
  @PrimaryColumn({ type: 'text' }) code: string;
  @Column({ type: 'text' }) name: string;
  @Column({ type: 'text', default: '' }) description: string;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}
