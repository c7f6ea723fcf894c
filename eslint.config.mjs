// Type-aware linting for src/ and test/; prettier owns formatting (see .prettierrc).
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'dist-dev/', 'coverage/', 'node_modules/', '.data/', 'scripts/', 'bench/', '*.js', '*.mjs', '*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/explicit-module-boundary-types': 'off',
      '@typescript-eslint/no-extraneous-class': 'off',
      // Config is read in one place (STYLE.md): src/core/config.
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read configuration through AppConfig (src/core/config).' },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.property.name='only'][callee.object.name=/^(it|describe|test)$/]",
          message: 'Focused tests hide the rest of the suite.',
        },
        {
          // Its savepoints would bypass withSavepoint: statements deferred with atCommit inside a
          // nested transaction that rolls back would still be written (core/tenancy README).
          selector: "CallExpression[callee.property.name='transaction'][callee.object.name=/^(manager|m|em|entityManager)$/]",
          message: 'Use withSavepoint (src/core/tenancy) inside a TenantDatabase transaction.',
        },
      ],
    },
  },
  // Fail-closed tenant access (issue 16, docs/architecture.md): module code reaches PostgreSQL through
  // core's TenantDatabase (run / runAsSystem(reason)), never a raw pool. Type-only imports stay allowed
  // (a seeder or CLI helper receives a DataSource from its caller; injection needs a value import).
  {
    files: ['src/modules/**/*.ts'],
    ignores: [
      'src/modules/**/*.spec.ts',
      // REINDEX INDEX CONCURRENTLY is refused inside a transaction.
      'src/modules/search/search-backend.provider.ts',
      'src/modules/search/postgres-search.backend.ts',
      // One REPEATABLE READ READ ONLY snapshot and the pg client's COPY stream.
      'src/modules/tenants/tenant-export.job.ts',
      // Every request: one lookup without a BEGIN/COMMIT round trip (measured hot path).
      'src/modules/auth/auth.guard.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'typeorm',
              importNames: ['DataSource'],
              allowTypeImports: true,
              message: 'Use TenantDatabase (src/core/tenancy): run(orgId, work) or runAsSystem(reason, work).',
            },
            {
              name: '@nestjs/typeorm',
              importNames: ['InjectDataSource', 'getDataSourceToken', 'InjectEntityManager', 'InjectRepository'],
              message: 'Use TenantDatabase (src/core/tenancy): run(orgId, work) or runAsSystem(reason, work).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/core/config/**/*.ts', 'test/**/*.ts', 'ormconfig.ts'],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    files: ['test/**/*.ts', 'src/**/*.spec.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  prettier,
);
