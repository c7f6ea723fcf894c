import { Injectable, Module, OnModuleInit } from '@nestjs/common';
import { TargetRegistry } from '../../core/targets';
import { CustomFieldTargets } from '../custom-fields';
import { ContactsRepository } from './contacts.repository';

/**
 * Registers contacts as a collaboration target (`contact`; SPEC-P3 §0) through
 * `ContactsRepository`: read with `contacts:read`, changed with `contacts:manage`.
 */
@Injectable()
export class ContactTargetRegistration implements OnModuleInit {
  constructor(
    private readonly targets: TargetRegistry,
    private readonly customFieldTargets: CustomFieldTargets,
    private readonly repository: ContactsRepository,
  ) {}

  onModuleInit(): void {
    // Its records carry custom fields (modules/custom-fields) in `contacts.custom_fields`.
    this.customFieldTargets.register({
      entityType: 'contact',
      table: 'contacts',
      column: 'custom_fields',
    });
    this.targets.register({
      entityType: 'contact',
      readPermission: 'contacts:read',
      updatePermission: 'contacts:manage',
      // Share-locked: a comment, follow or attachment cannot land on a record being deleted.
      exists: (manager, orgId, id) =>
        this.repository.exists(manager, orgId, id, { forShare: true }),
      label: async (manager, orgId, id) =>
        (await this.repository.findById(manager, orgId, id))?.display_name ?? null,
      path: (id) => `/api/v1/contacts/${id}`,
    });
  }
}

/** The contact target, loaded by the API and the worker. */
@Module({ providers: [ContactsRepository, ContactTargetRegistration] })
export class ContactTargetsModule {}
