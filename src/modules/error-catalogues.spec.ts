import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { catalogueEntries, CoreErrors, ErrorCodeEntry } from '../core/http';

const MODULES = __dirname;
const CORE_ERRORS_README = join(__dirname, '../core/http/errors/README.md');

/** The rows of a README's "## Error codes" table: code → status. */
function documentedCodes(readme: string): Map<string, number> {
  const text = readFileSync(readme, 'utf8');
  const section = /^## Error codes\n([\s\S]*?)(?=^#{1,2} |(?![\s\S]))/m.exec(text)?.[1] ?? '';
  const rows = new Map<string, number>();
  for (const match of section.matchAll(/^\| *`([a-z0-9_]+)` *\| *(\d{3}) *\|/gm)) {
    rows.set(match[1], Number(match[2]));
  }
  return rows;
}

interface Catalogue {
  /** Where it is declared and documented, e.g. `stock`. */
  owner: string;
  readme: string;
  entries: readonly ErrorCodeEntry[];
}

/** Every `<module>.errors.ts` catalogue of src/modules, and core's. */
async function catalogues(): Promise<Catalogue[]> {
  const found: Catalogue[] = [
    { owner: 'core', readme: CORE_ERRORS_README, entries: catalogueEntries(CoreErrors)! },
  ];
  for (const module of readdirSync(MODULES).sort()) {
    const dir = join(MODULES, module);
    if (!statSync(dir).isDirectory()) continue;
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.errors.ts'))) {
      const exported = (await import(join(dir, file))) as Record<string, unknown>;
      const declared = Object.values(exported)
        .map(catalogueEntries)
        .filter((e): e is readonly ErrorCodeEntry[] => e !== undefined);
      expect(declared.length).toBeGreaterThan(0);
      for (const entries of declared) {
        found.push({ owner: module, readme: join(dir, 'README.md'), entries });
      }
    }
  }
  return found;
}

/** Source files of src/modules that are neither catalogues nor tests. */
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith('.ts') && !name.endsWith('.spec.ts') && !name.endsWith('.errors.ts')
      ? [path]
      : [];
  });
}

/** `new X(...)` calls in `text`, with their full argument text (parentheses balanced). */
function constructions(text: string, classes: string[]): { name: string; args: string }[] {
  const calls: { name: string; args: string }[] = [];
  for (const match of text.matchAll(new RegExp(`new (${classes.join('|')})\\(`, 'g'))) {
    let depth = 1;
    let end = match.index + match[0].length;
    while (depth > 0 && end < text.length) {
      if (text[end] === '(') depth += 1;
      if (text[end] === ')') depth -= 1;
      end += 1;
    }
    calls.push({ name: match[1], args: text.slice(match.index + match[0].length, end - 1) });
  }
  return calls;
}

describe('error code catalogues', () => {
  it('document every code in the README of their module (core: src/core/http/errors)', async () => {
    const missing: string[] = [];
    for (const { owner, readme, entries } of await catalogues()) {
      const documented = documentedCodes(readme);
      for (const { code, status } of entries) {
        if (documented.get(code) !== status) {
          missing.push(`${owner}: ${code} (${status}) in ${relative(process.cwd(), readme)}`);
        }
      }
    }
    expect(missing).toEqual([]);
  });

  it('list no code in an "Error codes" table that no catalogue declares', async () => {
    const all = await catalogues();
    const declared = new Set(all.flatMap((c) => c.entries.map((e) => e.code)));
    const stale: string[] = [];
    for (const readme of new Set(all.map((c) => c.readme))) {
      for (const code of documentedCodes(readme).keys()) {
        if (!declared.has(code)) stale.push(`${relative(process.cwd(), readme)}: ${code}`);
      }
    }
    expect(stale).toEqual([]);
  });

  it('leave no code string at throw sites in src/modules: errors come from a catalogue', () => {
    const handWritten: string[] = [];
    for (const file of sources(MODULES)) {
      const text = readFileSync(file, 'utf8');
      const calls = [
        // Classes that take a code: always through a catalogue.
        ...constructions(text, [
          'RuleViolationError',
          'ConflictError',
          'ForbiddenError',
          'UnauthorizedError',
          'BadRequestError',
          'AppError',
        ]),
        // `NotFoundError('Thing')` keeps core's `not_found`; a second argument is a code.
        ...constructions(text, ['NotFoundError']).filter(({ args }) => args.includes(',')),
      ];
      for (const { name } of calls) handWritten.push(`${relative(MODULES, file)}: new ${name}`);
    }
    expect(handWritten).toEqual([]);
  });
});
