import { Injectable, Module, OnModuleInit } from '@nestjs/common';
import { TargetRegistry } from '../../core/targets';
import { CustomFieldTargets } from '../custom-fields';
import { WorkflowSubjects } from '../workflows';
import { CONTACT_LIST } from './contacts.service';
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
    private readonly workflowSubjects: WorkflowSubjects,
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
      exists: (manager, orgId, id, options) =>
        this.repository.exists(manager, orgId, id, { forShare: options?.lock !== false }),
      label: async (manager, orgId, id) =>
        (await this.repository.findById(manager, orgId, id))?.display_name ?? null,
      path: (id) => `/api/v1/contacts/${id}`,
    });
    // Workflows may govern contacts (conditions on the list's fields; no status field to write).
    this.workflowSubjects.register({
      entityType: 'contact',
      list: CONTACT_LIST,
      table: 'contacts',
    });
  }
}

/** The contact target, loaded by the API and the worker. */
@Module({ providers: [ContactsRepository, ContactTargetRegistration] })
export class ContactTargetsModule {}
