import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { getMetadataStorage } from 'class-validator';
import { NORMALIZED_NAME_CONSTRAINT } from './normalized-name.decorator';
import { VISIBLE_TEXT_CONSTRAINT } from './visible-text.decorator';

/**
 * The kind behind "a comment of only spaces was accepted" (stop 23): every required text property
 * of every request DTO must refuse a value that shows nothing. A string property with a minimum
 * length of 1 or more passes when it is normalised (`@NormalizedName`: blank becomes "" and the
 * length rule refuses it), checked for visible text (`@VisibleText`), or shaped by a format
 * validator (pattern, e-mail, URL, UUID, enum, …). Secrets are exempt: a password may be spaces.
 */
const ROOT = join(__dirname, '..', '..', '..');
const SECRET = /password|token|secret|otp|recovery|signature/i;
/** Validators that say nothing about what the text looks like. */
const SHAPELESS = new Set([
  'isString',
  'isLength',
  'minLength',
  'maxLength',
  'isDefined',
  'isOptional',
  'isNotEmpty',
  'noControlCharacters',
  'conditionalValidation',
  'whitelistValidation',
  'nestedValidation',
]);

interface Meta {
  name?: string;
  type: string;
  propertyName: string;
  constraints?: unknown[];
}

function dtoClasses(): { file: string; cls: new () => unknown }[] {
  const files = (readdirSync(join(ROOT, 'src'), { recursive: true }) as string[])
    .map((f) => join('src', f))
    .filter((f) => /(\/dto\/[^/]+|\.dto)\.ts$/.test(f) && !f.endsWith('.spec.ts'));
  const classes: { file: string; cls: new () => unknown }[] = [];
  for (const file of files) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const exported = require(join(ROOT, file)) as Record<string, unknown>;
    for (const value of Object.values(exported))
      if (typeof value === 'function' && /^class\s/.test(Function.prototype.toString.call(value)))
        classes.push({ file, cls: value as new () => unknown });
  }
  return classes;
}

describe('required free text refuses blank values (every DTO)', () => {
  it('finds the DTOs', () => {
    expect(dtoClasses().length).toBeGreaterThan(50);
  });

  it('every required string property is normalised, visible-text checked or format-shaped', () => {
    const storage = getMetadataStorage();
    const offenders: string[] = [];
    for (const { file, cls } of dtoClasses()) {
      const metas = storage.getTargetValidationMetadatas(cls, '', true, false) as Meta[];
      const byProperty = new Map<string, Meta[]>();
      for (const meta of metas)
        byProperty.set(meta.propertyName, [...(byProperty.get(meta.propertyName) ?? []), meta]);
      for (const [property, list] of byProperty) {
        const names = list.map((m) => m.name ?? m.type);
        if (!names.includes('isString')) continue;
        const min = list
          .filter((m) => m.name === 'isLength' || m.name === 'minLength')
          .map((m) => Number(m.constraints?.[0] ?? 0));
        if (!min.some((n) => n >= 1)) continue;
        if (SECRET.test(property)) continue;
        if (names.includes(NORMALIZED_NAME_CONSTRAINT) || names.includes(VISIBLE_TEXT_CONSTRAINT))
          continue;
        if (names.some((n) => !SHAPELESS.has(n))) continue;
        offenders.push(`${relative(ROOT, join(ROOT, file))} ${cls.name}.${property}`);
      }
    }
    expect([...new Set(offenders)].sort()).toEqual([]);
  });
});
