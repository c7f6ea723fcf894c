import { Injectable, OnModuleInit } from '@nestjs/common';
import { AttachmentTargets } from '../files';
import { ContactsRepository } from './contacts.repository';

/**
 * Registers "does this contact exist in the organization?" (`ContactsRepository.exists`) with the
 * files module, which attaches files to contacts (type `contact`). API side only.
 */
@Injectable()
export class ContactTargetsRegistration implements OnModuleInit {
  constructor(
    private readonly attachments: AttachmentTargets,
    private readonly repository: ContactsRepository,
  ) {}

  onModuleInit(): void {
    this.attachments.register({
      type: 'contact',
      exists: this.repository.exists.bind(this.repository),
    });
  }
}
