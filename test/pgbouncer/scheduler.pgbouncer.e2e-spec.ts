import { throughPgBouncer } from '../support/pgbouncer';

// Leader election through PgBouncer (transaction pooling): the lease row, handover and failover.
throughPgBouncer(
  () => jest.requireActual('../platform/scheduler.e2e-spec'),
  /^(two workers|a leader that died|skips the schedules of an archived)/,
);
