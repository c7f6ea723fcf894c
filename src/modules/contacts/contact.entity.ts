import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { BaseEntity } from '../../core/database';

export const CONTACT_KINDS = ['person', 'company'] as const;
export type ContactKind = (typeof CONTACT_KINDS)[number];

/** A person or company the organization deals with. */
@Entity({ name: 'contacts' })
@Index('ix_contacts_organization_id_display_name', ['organizationId', 'displayName'])
@Index('ix_contacts_tags', { synchronize: false }) // GIN: in the migration
@Check('ck_contacts_kind', `"kind" IN ('person', 'company')`)
export class ContactEntity extends BaseEntity {
  @Column({ type: 'uuid' }) organizationId: string;
  @Column({ type: 'varchar', length: 16 }) kind: ContactKind;
  @Column({ type: 'varchar', length: 200 }) displayName: string;
  @Column({ type: 'varchar', length: 100, nullable: true }) firstName: string | null;
  @Column({ type: 'varchar', length: 100, nullable: true }) lastName: string | null;
  @Column({ type: 'varchar', length: 200, nullable: true }) companyName: string | null;
  @Column({ type: 'varchar', length: 50, nullable: true }) taxNumber: string | null;
  @Column({ type: 'text', default: '' }) notes: string;
  @Column({ type: 'text', array: true, default: '{}' }) tags: string[];
  @Column({ type: 'uuid', nullable: true }) categoryId: string | null;
}

/** Columns every contact list row (email, phone, address) has; one primary per contact. */
abstract class ContactChild {
  @PrimaryColumn({ type: 'uuid', default: () => 'gen_uuid_v7()' }) id: string;
  @Column({ type: 'uuid' }) organizationId: string;
  @Column({ type: 'uuid' }) contactId: string;
  @Column({ type: 'varchar', length: 50, default: '' }) label: string;
  @Column({ type: 'boolean', default: false }) isPrimary: boolean;
  @Column({ type: 'smallint', default: 0 }) position: number;
}

@Entity({ name: 'contact_emails' })
@Index('ix_contact_emails_contact_id', ['contactId'])
@Index('uq_contact_emails_primary', { synchronize: false }) // partial unique: in the migration
export class ContactEmailEntity extends ContactChild {
  @Column({ type: 'varchar', length: 254 }) email: string;
}

@Entity({ name: 'contact_phones' })
@Index('ix_contact_phones_contact_id', ['contactId'])
@Index('uq_contact_phones_primary', { synchronize: false })
export class ContactPhoneEntity extends ContactChild {
  @Column({ type: 'varchar', length: 32 }) number: string;
}

@Entity({ name: 'contact_addresses' })
@Index('ix_contact_addresses_contact_id', ['contactId'])
@Index('uq_contact_addresses_primary', { synchronize: false })
export class ContactAddressEntity extends ContactChild {
  @Column({ type: 'varchar', length: 200 }) line1: string;
  @Column({ type: 'varchar', length: 200, nullable: true }) line2: string | null;
  @Column({ type: 'varchar', length: 100 }) city: string;
  @Column({ type: 'varchar', length: 100, nullable: true }) region: string | null;
  @Column({ type: 'varchar', length: 20, nullable: true }) postalCode: string | null;
  @Column({ type: 'character', length: 2 }) countryCode: string;
}
