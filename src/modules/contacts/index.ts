// Public surface of the contacts module.
import {
  ContactAddressEntity,
  ContactEmailEntity,
  ContactEntity,
  ContactPhoneEntity,
} from './contact.entity';

export { ContactsModule } from './contacts.module';
export { ContactsWorkerModule } from './contacts-worker.module';
export { CONTACT_LIST } from './contacts.service';
export { CreateContactDto } from './dto/contact.dto';
export {
  CONTACT_KINDS,
  ContactKind,
  ContactAddressEntity,
  ContactEmailEntity,
  ContactEntity,
  ContactPhoneEntity,
} from './contact.entity';

/** The TypeORM entities whose tables this module owns (listed by the module registry). */
export const CONTACTS_ENTITIES = [
  ContactEntity,
  ContactEmailEntity,
  ContactPhoneEntity,
  ContactAddressEntity,
];
