import type { PermissionCode } from '../access';

/** What can be translated: the entity's table, its content fields and who may read/change it. */
export interface TranslatableType {
  table: string;
  /** SQL condition for a row that still exists (soft deletes). */
  live: string;
  /** Field name → maximum length (the same limits as the entity's own DTO). */
  fields: Record<string, number>;
  read: PermissionCode;
  manage: PermissionCode;
}

export const TRANSLATABLE: Record<string, TranslatableType> = {
  products: {
    table: 'products',
    live: 'deleted_at IS NULL',
    fields: { name: 200, description: 10_000 },
    read: 'products:read',
    manage: 'products:manage',
  },
};

export type TranslatableTypeName = keyof typeof TRANSLATABLE;
