import 'reflect-metadata';
import {
  getMetadataStorage,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Min,
  validateSync,
  ValidationError,
} from 'class-validator';
import { PartialType } from '@nestjs/swagger';
import {
  Exclude,
  Expose,
  instanceToPlain,
  plainToInstance,
  Transform,
  Type,
} from 'class-transformer';
import { cacheTransformMetadata, cacheValidationMetadata } from './dto-metadata-cache';

class Base {
  @IsString() @Length(1, 5) name!: unknown;
}
class Child extends Base {
  @IsInt() @Min(1, { groups: ['strict'] }) count!: unknown;
}
class Overrides extends Base {
  // Same property and rule type as the parent's IsString: class-validator keeps the child's only.
  @IsOptional() @IsString({ message: 'child says: name is text' }) declare name: unknown;
}

const errorsOf = (errors: ValidationError[]) =>
  errors.map((e) => ({ property: e.property, constraints: e.constraints, value: e.value }));

const run = (target: object, groups?: string[]) => ({
  plain: errorsOf(validateSync(target, { forbidUnknownValues: false })),
  whitelist: errorsOf(
    validateSync(target, { whitelist: true, forbidNonWhitelisted: true, groups }),
  ),
  always: errorsOf(validateSync(target, { always: true, strictGroups: true })),
});

const make = <T extends object>(type: new () => T, values: Record<string, unknown>): T =>
  Object.assign(new type(), values);

const cases: [string, () => object][] = [
  ['base ok', () => make(Base, { name: 'abc' })],
  ['base too long', () => make(Base, { name: 'abcdefgh' })],
  ['base wrong type', () => make(Base, { name: 42 })],
  ['child inherits the parent rules', () => make(Child, { name: '', count: 0 })],
  ['child extra property', () => make(Child, { name: 'a', count: 2, extra: 1 })],
  ['override keeps the child rule', () => make(Overrides, { name: 7 })],
  ['override optional', () => make(Overrides, {})],
];

describe('cacheValidationMetadata', () => {
  it('gives exactly the uncached results, with and without groups, and is idempotent', () => {
    const before = cases.map(([, build]) => [run(build()), run(build(), ['strict'])]);
    const restore = cacheValidationMetadata();
    try {
      expect(cacheValidationMetadata()).toBe(restore);
      // Twice: the first call fills the cache, the second reads it.
      for (let pass = 0; pass < 2; pass += 1) {
        const after = cases.map(([, build]) => [run(build()), run(build(), ['strict'])]);
        expect(after).toEqual(before);
      }
    } finally {
      restore();
    }
  });

  it('answers with frozen metadata and sees rules registered after an answer was cached', () => {
    const storage = getMetadataStorage();
    const restore = cacheValidationMetadata(storage);
    try {
      class Later {
        @IsString() title!: unknown;
      }
      const first = storage.getTargetValidationMetadatas(Later, '', false, false);
      expect(Object.isFrozen(first)).toBe(true);
      expect(storage.getTargetValidationMetadatas(Later, '', false, false)).toBe(first);
      expect(Object.isFrozen(storage.groupByPropertyName(first).title)).toBe(true);
      // A rule added afterwards (as PartialType/OmitType copy rules onto a new class) is seen.
      Length(3, 9)(Later.prototype, 'title');
      const second = storage.getTargetValidationMetadatas(Later, '', false, false);
      expect(second).not.toBe(first);
      expect(second).toHaveLength(first.length + 1);
      expect(errorsOf(validateSync(make(Later, { title: 'ab' })))).toEqual([
        {
          property: 'title',
          constraints: { isLength: 'title must be longer than or equal to 3 characters' },
          value: 'ab',
        },
      ]);
    } finally {
      restore();
    }
  });

  it('restore() puts the library methods back', () => {
    const storage = getMetadataStorage();
    const restore = cacheValidationMetadata(storage);
    restore();
    expect(Object.prototype.hasOwnProperty.call(storage, 'getTargetValidationMetadatas')).toBe(
      false,
    );
    const uncached = storage.getTargetValidationMetadatas(Base, '', false, false);
    expect(Object.isFrozen(uncached)).toBe(false);
  });
});

class Address {
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  city!: unknown;
  @Exclude() secret?: unknown;
}
class Person {
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? value.toUpperCase() : value,
  )
  @IsString()
  name!: unknown;
  @Type(() => Address) address?: Address;
  @Type(() => Address) addresses?: Address[];
  @Expose({ name: 'nick_name' }) nick?: unknown;
  @Expose({ groups: ['admin'] }) note?: unknown;
}
class Employee extends Person {
  @Transform(({ value }: { value: unknown }) => Number(value), { toClassOnly: true })
  @IsInt()
  badge!: unknown;
}

const BODIES: Record<string, unknown>[] = [
  { name: 'ada', address: { city: ' Paris ', secret: 'x' }, nick_name: 'A', note: 'n', badge: '7' },
  { name: 7, addresses: [{ city: 1 }, { city: ' Rome' }], extra: true, badge: 'x' },
  { name: null, address: 'not an object', addresses: 'nope' },
  {},
];

/** Everything class-transformer gives for the bodies: instances, plain forms, with options. */
const transforms = (types: (new () => object)[]) =>
  types.flatMap((type) =>
    BODIES.flatMap((body) => {
      const instance = plainToInstance(type, body);
      return [
        instance,
        instanceToPlain(instance),
        instanceToPlain(instance, { groups: ['admin'] }),
        plainToInstance(type, body, { excludeExtraneousValues: true }),
        errorsOf(validateSync(instance, { whitelist: true })),
      ];
    }),
  );

describe('cacheTransformMetadata', () => {
  it('gives exactly the uncached instances and plain objects, and sees types mapped later', () => {
    const before = transforms([Person, Employee]);
    const restore = cacheTransformMetadata();
    const restoreValidation = cacheValidationMetadata();
    try {
      expect(cacheTransformMetadata()).toBe(restore);
      for (let pass = 0; pass < 2; pass += 1)
        expect(transforms([Person, Employee])).toEqual(before);
      // PartialType (@nestjs/mapped-types) copies metadata straight into class-transformer's maps.
      const PartialEmployee = PartialType(Employee);
      const mapped = transforms([PartialEmployee]);
      restore();
      restoreValidation();
      expect(transforms([PartialEmployee])).toEqual(mapped);
      expect(plainToInstance(PartialEmployee, { name: 'x', badge: '3' })).toEqual(
        expect.objectContaining({ name: 'X', badge: 3 }),
      );
    } finally {
      restore();
      restoreValidation();
    }
  });

  it('sees a transformation registered after an answer was cached', () => {
    const restore = cacheTransformMetadata();
    try {
      class Later {
        title?: unknown;
      }
      expect(plainToInstance(Later, { title: ' a ' })).toEqual({ title: ' a ' });
      Transform(({ value }: { value: unknown }) => String(value).trim())(Later.prototype, 'title');
      expect(plainToInstance(Later, { title: ' a ' })).toEqual({ title: 'a' });
    } finally {
      restore();
    }
  });
});
