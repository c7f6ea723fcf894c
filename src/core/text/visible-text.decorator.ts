import { ValidateBy } from 'class-validator';
import { appendApiDescription } from './api-description';

/** class-validator name of the `VisibleText` check (the free-text guard test looks for it). */
export const VISIBLE_TEXT_CONSTRAINT = 'visibleText';

/** Some character that is neither white space nor zero-width (U+200B–U+200D, U+2060, U+FEFF). */
const VISIBLE = /[^\s\u200B-\u200D\u2060\uFEFF]/u;

/** Whether `value` holds something a reader can see (not only spaces, line breaks, zero-width characters). */
export const hasVisibleText = (value: string): boolean => VISIBLE.test(value);

/** Sentence for the Swagger description of a `VisibleText` property. */
export const VISIBLE_TEXT_NOTE =
  'Must contain visible text: a value of only spaces, line breaks or zero-width characters (U+200B-U+200D, U+2060, U+FEFF) → 422.';

/**
 * DTO property decorator for free text that is stored as typed (descriptions, summaries, titles,
 * message bodies — not trimmed or collapsed like `NormalizedName` names): a string made only of
 * white space and zero-width characters → 422 `<property> must contain visible text`. Non-strings
 * pass (the type validators refuse them); an absent optional property is skipped by `IsOptional`.
 * Appends `VISIBLE_TEXT_NOTE` to the Swagger description: put it above `@ApiProperty`.
 */
export function VisibleText(): PropertyDecorator {
  const check = ValidateBy({
    name: VISIBLE_TEXT_CONSTRAINT,
    validator: {
      validate: (value: unknown) => typeof value !== 'string' || hasVisibleText(value),
      defaultMessage: (args) => `${args?.property ?? 'value'} must contain visible text`,
    },
  });
  return (target, propertyKey) => {
    check(target, propertyKey);
    appendApiDescription(target, propertyKey, VISIBLE_TEXT_NOTE, 'VisibleText');
  };
}
