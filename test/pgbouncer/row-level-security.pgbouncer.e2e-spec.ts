import { throughPgBouncer } from '../support/pgbouncer';

// Tenant isolation through PgBouncer (transaction pooling): the tenant settings are transaction
// local (`set_config(..., true)`), so a server connection shared by two organizations' requests
// never carries one's organization into the other's.
throughPgBouncer(() => jest.requireActual('../identity/row-level-security.e2e-spec'), /./);
