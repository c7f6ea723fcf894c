import { randomUUID } from 'node:crypto';
import { findListDefinition, type ListDefinition } from '../../src/core/http';
import { operatorsFor, type FilterField, type FilterOperator } from '../../src/core/filters';
import { createTenant, type Actor } from '../support/auth';
import { createTestApp, TestApp } from '../support/test-app';

/**
 * Every list × every field × every operator its type allows answers 200 (the kind behind
 * "`tags in [...]` was a 500": a field whose SQL expression had another type than the operator
 * compiled for). The lists come from the served OpenAPI document (`x-list-resource` names the
 * list grammar a route parses), so a new list or field is covered without touching this file.
 */
interface Operation {
  'x-list-resource'?: string;
}

/** A value of the field's type that every operator allowed on it accepts. */
function sample(field: FilterField, op: FilterOperator): unknown {
  if (op === 'isnull') return true;
  const type = field.type;
  let one: unknown;
  if (typeof type === 'object') one = type.enum[0];
  else
    one = {
      string: 'x',
      text: 'x',
      uuid: '@me',
      boolean: true,
      int: 1,
      decimal: '1.5',
      date: '-7d',
      datetime: 'today',
      'string[]': field.values?.[0] ?? 'x',
    }[type];
  if (op !== 'in' && op !== 'notin') return one;
  // Date tokens name a day, not a list member: in/notin take literal values.
  if (type === 'date') return ['2026-01-31'];
  if (type === 'datetime') return ['2026-01-31T12:00:00Z'];
  return [one];
}

describe('list filters: every list × field × operator answers 200', () => {
  let t: TestApp;
  let owner: Actor;
  let lists: { path: string; definition: ListDefinition }[];

  beforeAll(async () => {
    // The webhook subscription whose deliveries are listed points at a local (allowed) address.
    t = await createTestApp({ env: { WEBHOOK_ALLOWED_PRIVATE_HOSTS: '127.0.0.1' } });
    owner = await createTenant(t);
    // Rows to filter in the lists that start empty (the SQL is also checked on real values).
    const product = await owner.post('/api/v1/products').send({
      sku: `M-${randomUUID().slice(0, 8)}`,
      name: 'Matrix',
      type: 'goods',
      price: '2.50',
      currencyCode: 'EUR',
      uomCode: 'pc',
      tags: ['matrix'],
    });
    expect(product.status).toBe(201);
    const contact = await owner
      .post('/api/v1/contacts')
      .send({ kind: 'person', displayName: 'Matrix', tags: ['matrix'] });
    expect(contact.status).toBe(201);
    const document = (await t.http.get('/docs-json').expect(200)).body as {
      paths: Record<string, Record<string, Operation>>;
    };
    lists = [];
    for (const [path, item] of Object.entries(document.paths)) {
      const resource = item.get?.['x-list-resource'];
      if (!resource) continue;
      const definition = findListDefinition(resource);
      if (!definition) throw new Error(`${path}: unknown list ${resource}`);
      lists.push({ path, definition });
    }
  }, 60_000);
  afterAll(() => t?.close());

  it('finds every list route', () => {
    expect(lists.length).toBeGreaterThan(20);
    // Lists under a parent record need its id; they are filled with the caller's own record.
    expect(lists.filter((l) => l.path.includes('{')).map((l) => l.path)).toEqual([
      '/api/v1/chat-rooms/{id}/messages',
      '/api/v1/webhook-subscriptions/{id}/deliveries',
    ]);
  });

  it('answers 200 for each (list, field, operator)', async () => {
    const room = await owner.post('/api/v1/chat-rooms').send({ name: 'Matrix room' });
    expect(room.status).toBe(201);
    const subscription = await owner.post('/api/v1/webhook-subscriptions').send({
      name: 'Matrix hook',
      url: 'http://127.0.0.1:9/hook',
      eventTypes: ['product.created'],
    });
    expect(subscription.status).toBe(201);
    const parents: Record<string, string> = {
      '/api/v1/chat-rooms/{id}/messages': (room.body as { id: string }).id,
      '/api/v1/webhook-subscriptions/{id}/deliveries': (subscription.body as { id: string }).id,
    };
    const failures: string[] = [];
    let calls = 0;
    for (const { path, definition } of lists) {
      const url = path.includes('{id}') ? path.replace('{id}', parents[path]) : path;
      for (const [name, field] of Object.entries(definition.fields)) {
        for (const op of operatorsFor(field.type)) {
          const filter = { field: name, op, value: sample(field, op) };
          const res = await owner.get(
            `${url}?filter=${encodeURIComponent(JSON.stringify(filter))}`,
          );
          calls += 1;
          if (res.status !== 200)
            failures.push(
              `${path} ${JSON.stringify(filter)} → ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`,
            );
        }
      }
    }
    expect(failures).toEqual([]);
    expect(calls).toBeGreaterThan(300);
  }, 240_000);
});
