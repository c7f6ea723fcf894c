import { throughPgBouncer } from '../support/pgbouncer';

// Stock concurrency through PgBouncer (transaction pooling, 4 server connections for the app's
// pool of 5): 100 parallel moves, opposite transfers, and another organization's view.
throughPgBouncer(
  () => jest.requireActual('../master-data/stock.e2e-spec'),
  /^(100 parallel moves|opposite transfers in parallel|is invisible to another organization)/,
);
