import type { PermissionCode } from '../access';

/**
 * What can be translated: the entity's content fields and who may read/change it. Whether an
 * entity exists is the owner's answer, registered with `TranslatableTargets` under the same key.
 */
export interface TranslatableType {
  /** Field name → maximum length (the same limits as the entity's own DTO). */
  fields: Record<string, number>;
  read: PermissionCode;
  manage: PermissionCode;
}

export const TRANSLATABLE: Record<string, TranslatableType> = {
  products: {
    fields: { name: 200, description: 10_000 },
    read: 'products:read',
    manage: 'products:manage',
  },
};

export type TranslatableTypeName = keyof typeof TRANSLATABLE;
