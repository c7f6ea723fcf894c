import { Injectable, OnModuleInit } from '@nestjs/common';
import { AttachmentTargets } from '../files';
import { CategoriesRepository } from './categories.repository';

/**
 * Registers "does this category exist in the organization?" (any type;
 * `CategoriesRepository.exists`) with the files module, which attaches files to categories (type
 * `category`). API side only.
 */
@Injectable()
export class CategoryTargetsRegistration implements OnModuleInit {
  constructor(
    private readonly attachments: AttachmentTargets,
    private readonly repository: CategoriesRepository,
  ) {}

  onModuleInit(): void {
    this.attachments.register({
      type: 'category',
      exists: this.repository.exists.bind(this.repository),
    });
  }
}
