import { Injectable, OnModuleInit } from '@nestjs/common';
import { RecordUpdaters } from '../../core/targets';
import { UpdateContactDto } from './dto/contact.dto';
import { CONTACT_LIST, ContactsService } from './contacts.service';

/**
 * Lets automation rules (issue 19) name contacts: conditions over the contact list's filter
 * fields, and `update_record` through `ContactsService.update` (versioning, audit and the
 * `contact.updated` event apply as on `PATCH /contacts/{id}`).
 */
@Injectable()
export class ContactRecordUpdaterRegistration implements OnModuleInit {
  constructor(
    private readonly updaters: RecordUpdaters,
    private readonly contacts: ContactsService,
  ) {}

  onModuleInit(): void {
    this.updaters.register({
      entityType: 'contact',
      list: CONTACT_LIST,
      from: 'contacts c',
      alias: 'c',
      dto: UpdateContactDto,
      fields: [
        'displayName',
        'firstName',
        'lastName',
        'companyName',
        'taxNumber',
        'tags',
        'categoryId',
        'customFields',
      ],
      update: async (orgId, id, fields, actor, context) => {
        const updated = await this.contacts.update(orgId, id, fields, undefined, context, actor);
        return { version: updated.version };
      },
    });
  }
}
