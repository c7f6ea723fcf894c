/**
 * Three projects: `unit` (src/ *.spec.ts files, no I/O), `medium` (test/medium/ *.medium-spec.ts:
 * repositories against a real PostgreSQL database, no app) and `e2e` (test/ *.e2e-spec.ts files,
 * real PostgreSQL + Redis). Medium and e2e files each get their own database cloned from a
 * migrated template.
 */
const transform = {
  '^.+\\.ts$': [
    'ts-jest',
    { tsconfig: 'tsconfig.json', isolatedModules: true, diagnostics: false },
  ],
};

/** @type {import('jest').Config} */
module.exports = {
  collectCoverageFrom: [
    'src/**/*.ts',
    '!src/**/*.spec.ts',
    // Process entries: thin wrappers over bootstrap.ts/cli commands, exercised by the boot tests
    // in child processes (which jest cannot instrument).
    '!src/main.api.ts',
    '!src/main.worker.ts',
    '!src/cli.ts',
    '!src/database/migrations/*.ts',
  ],
  coverageThreshold: { global: { lines: 80 } },
  // V8's own coverage instead of babel-istanbul instrumentation: the same products e2e file took
  // 22 s with istanbul, 11 s with v8, 8 s without coverage (2026-12-01, idle machine), and the
  // suite's Node 20 run (with coverage) was 765 s against 442 s on Node 24 (without).
  coverageProvider: 'v8',
  // A project-level testTimeout is not applied to hooks (jest 30 reads it from the root config):
  // on 2 busy cores, booting an app in beforeAll can take longer than the 5 s default.
  coverageReporters: ['text-summary', 'lcov'],
  // A global option: inside a project it is ignored (hooks then time out after 5 s under load).
  testTimeout: 30000,
  // Test files run in a worker process that is replaced once it holds more than this after a
  // file. On 2 cores jest otherwise runs every file inside its own main process (one worker = in band),
  // where the heap grew with each file's app until V8 aborted at ~4 GB after 12 minutes
  // (fresh-clone .ci/run, 2026-12-01, 110 files). Setting it also makes jest use the worker.
  workerIdleMemoryLimit: '1536MB',
  // Two test files at a time on 2 cores: an e2e file waits on PostgreSQL and Redis for much of its
  // time, so a second worker fills the idle core. Eight e2e files: 30 s with one worker, 21 s with
  // two (2026-12-01); the whole suite took 1,051 s with one.
  maxWorkers: 2,
  projects: [
    {
      displayName: 'unit',
      testMatch: ['<rootDir>/src/**/*.spec.ts'],
      testEnvironment: 'node',
      transform,
      moduleFileExtensions: ['ts', 'js', 'json'],
    },
    {
      displayName: 'medium',
      testMatch: ['<rootDir>/test/medium/**/*.medium-spec.ts'],
      testEnvironment: 'node',
      transform,
      moduleFileExtensions: ['ts', 'js', 'json'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      setupFiles: ['reflect-metadata'],
    },
    {
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      testEnvironment: 'node',
      transform,
      moduleFileExtensions: ['ts', 'js', 'json'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      setupFiles: ['reflect-metadata'],
    },
  ],
};
