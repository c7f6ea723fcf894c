import { ValidationFailedError } from '../../core/http';
import type { ProductStatus } from './product.entity';
import { ProductsErrors } from './products.errors';

/**
 * The product lifecycle: draft → active → discontinued → end_of_life. A discontinued product may
 * be re-activated; end_of_life is final; nothing goes back to draft.
 */
export const PRODUCT_TRANSITIONS: Readonly<Record<ProductStatus, readonly ProductStatus[]>> = {
  draft: ['active'],
  active: ['discontinued'],
  discontinued: ['active', 'end_of_life'],
  end_of_life: [],
};

/** Throws 422 `invalid_transition` unless `from → to` is allowed (staying put is allowed). */
export function assertTransition(from: ProductStatus, to: ProductStatus): void {
  if (from === to || PRODUCT_TRANSITIONS[from].includes(to)) return;
  const allowed = PRODUCT_TRANSITIONS[from];
  throw ProductsErrors.invalid_transition(from, to, allowed);
}

export const ATTRIBUTE_TYPES = ['string', 'number', 'boolean', 'date', 'enum'] as const;
export type AttributeType = (typeof ATTRIBUTE_TYPES)[number];

export interface AttributeDefinition {
  key: string;
  type: AttributeType;
  required?: boolean;
  /** Allowed values of an `enum` attribute. */
  options?: string[];
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Whether `value` has the attribute's type. */
function fits(definition: AttributeDefinition, value: unknown): boolean {
  switch (definition.type) {
    case 'string':
      return typeof value === 'string' && value.length <= 1000;
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'date':
      return typeof value === 'string' && DATE.test(value) && !Number.isNaN(Date.parse(value));
    case 'enum':
      return typeof value === 'string' && (definition.options ?? []).includes(value);
  }
}

/**
 * Checks custom attributes against the organization's definitions: unknown keys, wrong types and
 * missing required ones are each reported (422 with `/attributes/<key>`). Without definitions,
 * any object of at most 50 scalar values is accepted.
 */
export function validateAttributes(
  attributes: Record<string, unknown>,
  definitions: AttributeDefinition[] | null,
): void {
  const issues: { pointer: string; detail: string }[] = [];
  const pointer = (key: string) => `/attributes/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
  const keys = Object.keys(attributes);
  if (!definitions) {
    if (keys.length > 50) issues.push({ pointer: '/attributes', detail: 'at most 50 attributes' });
    for (const key of keys) {
      const value = attributes[key];
      if (value !== null && typeof value === 'object')
        issues.push({
          pointer: pointer(key),
          detail: `${key} must be a string, number or boolean`,
        });
    }
  } else {
    const byKey = new Map(definitions.map((d) => [d.key, d]));
    for (const key of keys) {
      const definition = byKey.get(key);
      if (!definition)
        issues.push({ pointer: pointer(key), detail: `${key} is not a defined attribute` });
      else if (attributes[key] !== null && !fits(definition, attributes[key])) {
        const expected =
          definition.type === 'enum'
            ? `one of ${(definition.options ?? []).join(', ')}`
            : `a ${definition.type}`;
        issues.push({ pointer: pointer(key), detail: `${key} must be ${expected}` });
      }
    }
    for (const definition of definitions) {
      if (definition.required && (attributes[definition.key] ?? null) === null)
        issues.push({ pointer: pointer(definition.key), detail: `${definition.key} is required` });
    }
  }
  if (issues.length > 0) {
    throw new ValidationFailedError(issues.map((i) => ({ ...i, meta: { rules: ['attributes'] } })));
  }
}
