import { throughPgBouncer } from '../support/pgbouncer';

// Bulk import through PgBouncer (transaction pooling): COPY into ON COMMIT DROP temp tables, the
// dry run's rolled-back transaction, and upserts keyed by natural keys.
throughPgBouncer(
  () => jest.requireActual('../platform/imports.e2e-spec'),
  /^(1,000 rows with 37 bad|imports contacts keyed by primary email)/,
);
