/**
 * The import rules of the architecture (docs/architecture.md), checked by `npm run depcruise`
 * (part of `npm test`). Only `src/` and `ormconfig.ts` are cruised: `test/` may import anything.
 *
 * Parts: `src/core` (platform, knows no domain), `src/modules/<name>` (domain modules, each with a
 * public `index.ts`), `src/database/migrations` (plain SQL over `typeorm`), and the composition roots
 * (`src/*.ts`, `src/cli/`, `ormconfig.ts`) that assemble core + the module registry.
 * Type-only imports count: a rule broken only by a type is still broken.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'No import cycle anywhere in src: cycles make class and decorator values load-order dependent ' +
        '("Class extends value undefined"). Break it by importing a narrower file or moving the shared piece.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'core-imports-no-module',
      severity: 'error',
      comment:
        'src/core is the platform: it imports only src/core and packages. Entities, migrations and seeders ' +
        'come in as parameters from the composition roots (buildDataSourceOptions, DatabaseModule.forRoot, runSeeds).',
      from: { path: '^src/core/' },
      to: { path: '^src/', pathNot: '^src/core/' },
    },
    {
      name: 'migrations-import-only-typeorm',
      severity: 'error',
      comment:
        'A migration is frozen SQL: it imports typeorm and nothing else (no entities, no module code, ' +
        'which would change under it).',
      from: { path: '^src/database/migrations/' },
      to: { pathNot: ['^src/database/migrations/', '^node_modules/typeorm/'] },
    },
    {
      name: 'module-through-index',
      severity: 'error',
      comment:
        "A module imports another module only through that module's index.ts (its public surface).",
      from: { path: '^src/modules/([^/]+)/' },
      to: {
        path: '^src/modules/[^/]+/',
        pathNot: ['^src/modules/$1/', '^src/modules/[^/]+/index[.]ts$'],
      },
    },
    {
      name: 'roots-use-module-index',
      severity: 'error',
      comment:
        'Composition roots (src/*.ts, src/cli, ormconfig.ts) reach a module only through its index.ts ' +
        'or the module registry src/modules/index.ts.',
      from: { path: '^(src/[^/]+\\.ts|src/cli/|ormconfig\\.ts)' },
      to: { path: '^src/modules/[^/]+/', pathNot: '^src/modules/[^/]+/index\\.ts$' },
    },
    {
      name: 'modules-import-no-roots',
      severity: 'error',
      comment:
        'Modules never import the composition roots, the module registry or src/database: ' +
        'the roots import them, not the other way round.',
      from: { path: '^src/modules/[^/]+/' },
      to: { path: '^(src/[^/]+\\.ts|src/cli/|src/database/|ormconfig\\.ts)' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
