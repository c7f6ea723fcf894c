import 'reflect-metadata';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsEmail,
  IsEnum,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsString,
  IsTimeZone,
  IsUUID,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  validate,
} from 'class-validator';
import { toFieldIssues } from '../http/errors/validation';
import { translateValidationDetail } from './validation-messages';

enum Colour {
  Red = 'red',
}

/** One property per class-validator constraint the DTOs of this API use. */
class Everything {
  @IsString() aString: unknown = 1;
  @IsUUID() aUuid: unknown = 'nope';
  @Length(2, 3) aLength: unknown = 'abcdef';
  @MinLength(5) aMinLength: unknown = 'ab';
  @MaxLength(1) aMaxLength: unknown = 'ab';
  @Matches(/^x$/) aPattern: unknown = 'y';
  @Matches(/^x$/, { message: 'aCustom must look like x' }) aCustom: unknown = 'y';
  @Min(3) aMin: unknown = 1;
  @Max(3) aMax: unknown = 9;
  @IsInt() anInt: unknown = 1.5;
  @IsIn(['a', 'b']) anIn: unknown = 'c';
  @IsEnum(Colour) anEnum: unknown = 'blue';
  @IsBoolean() aBoolean: unknown = 'yes';
  @IsArray() anArray: unknown = 'x';
  @ArrayMaxSize(1) aMaxSize: unknown = [1, 2];
  @ArrayMinSize(2) aMinSize: unknown = [1];
  @ArrayUnique() aUnique: unknown = [1, 1];
  @IsObject() anObject: unknown = 'x';
  @IsEmail() anEmail: unknown = 'x';
  @IsTimeZone() aZone: unknown = 'Mars/Olympus';
  @IsNumber() aNumber: unknown = 'x';
  @IsUUID('all', { each: true }) someUuids: unknown = ['x'];
}

const ENGLISH = /\b(must|should|be|than|the|following|elements|characters|value|accepted)\b/;

describe('translateValidationDetail', () => {
  it('translates every class-validator message used by the DTOs, leaving no English', async () => {
    const issues = toFieldIssues(await validate(new Everything()));
    expect(issues).toHaveLength(Object.keys(new Everything()).length);
    for (const issue of issues) {
      const field = issue.pointer!.slice(1);
      const french = translateValidationDetail(issue.detail, 'fr', {
        field,
        rules: issue.meta?.rules as string[],
      });
      expect({ field, french }).toEqual({ field, french: expect.not.stringMatching(ENGLISH) });
      expect(french).toContain(field);
    }
  });

  it('keeps the numbers and names that make a message useful', () => {
    expect(
      translateValidationDetail('name must be shorter than or equal to 120 characters', 'fr'),
    ).toBe('name doit contenir au plus 120 caractère(s)');
    expect(translateValidationDetail('parentId must be a UUID', 'fr')).toBe(
      'parentId doit être un UUID',
    );
    expect(
      translateValidationDetail('cannot sort by "x"; sortable: name, createdAt', 'fr', {
        field: 'sort',
      }),
    ).toBe('tri impossible par « x » ; triables : name, createdAt');
    expect(
      translateValidationDetail('code must be a string; code must look like X', 'fr', {
        field: 'code',
        rules: ['isString', 'matches'],
      }),
    ).toBe('code doit être une chaîne de caractères ; code n’a pas le format attendu');
  });

  it('answers English unchanged', () => {
    expect(translateValidationDetail('parentId must be a UUID', 'en')).toBe(
      'parentId must be a UUID',
    );
  });
});
