import { inlineParameters } from './inline-parameters';
import { DataSource, EntityManager } from 'typeorm';
import { requireOrganizationId } from './tenant-transaction';

/** The pg client as seen from a query runner: `query(text, values?)`. */
interface PgClient {
  query(text: unknown, values?: unknown): Promise<unknown>;
}

interface PgResult {
  rows: unknown[];
  command: string;
  rowCount: number | null;
}

/**
 * Runs read-only `work` for one organization with **one PostgreSQL round trip per statement** and
 * no `BEGIN`/`COMMIT`: each statement `work` issues is sent as one simple-protocol query string
 * `SELECT set_config('role', 'alees_tenant', true), set_config('app.current_org', '<id>', true),
 * set_config('transaction_read_only', 'on', true); <statement with inlined literals>`.
 * PostgreSQL runs a multi-statement simple query as one implicit transaction, so the settings
 * (`SET LOCAL`) hold for that statement only and row-level security limits it to the organization
 * exactly as in `withTenant` (the second wall); `transaction_read_only` makes any write fail
 * (`25006`). Each statement sees its own snapshot, which is what READ COMMITTED gives the
 * statements of an explicit transaction too; locking reads (`FOR UPDATE`) are refused.
 *
 * @throws TenantContextMissingError when `organizationId` is missing or not a UUID (fail closed).
 */
export async function withTenantRead<T>(
  dataSource: DataSource,
  organizationId: string | null | undefined,
  work: (manager: EntityManager) => Promise<T>,
): Promise<T> {
  const orgId = requireOrganizationId(organizationId);
  const prefix =
    `SELECT set_config('role', 'alees_tenant', true), set_config('app.current_org', '${orgId}', true), ` +
    `set_config('transaction_read_only', 'on', true);\n`;
  const runner = dataSource.createQueryRunner();
  const client = (await runner.connect()) as PgClient;
  const original = client.query.bind(client);
  const own = Object.prototype.hasOwnProperty.call(client, 'query');
  const saved = Object.getOwnPropertyDescriptor(client, 'query');
  client.query = async (text: unknown, values?: unknown): Promise<unknown> => {
    if (typeof text !== 'string') throw new Error('A tenant read sends SQL text only');
    const parameters = Array.isArray(values) ? (values as unknown[]) : [];
    const results = (await original(prefix + inlineParameters(text, parameters))) as PgResult[];
    return results[results.length - 1];
  };
  try {
    return await work(runner.manager);
  } finally {
    if (own && saved) Object.defineProperty(client, 'query', saved);
    else delete (client as Partial<PgClient>).query;
    await runner.release();
  }
}
