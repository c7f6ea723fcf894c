import {
  causingRuleId,
  matchTrigger,
  MatchableEvent,
  schemaIssues,
  triggerIssues,
} from './automation-rules';

const event = (over: Partial<MatchableEvent> = {}): MatchableEvent => ({
  type: 'product.updated',
  entityType: 'product',
  entityId: 'p1',
  changedFields: ['status'],
  data: {},
  ...over,
});

describe('automation trigger rules', () => {
  it('matches record triggers on the entity type’s events only', () => {
    const own = { entityType: 'product', entityId: 'p1' };
    expect(matchTrigger({ type: 'record.updated' }, 'product', event())).toEqual(own);
    expect(
      matchTrigger({ type: 'record.updated' }, 'product', event({ type: 'product.transitioned' })),
    ).toEqual(own);
    expect(matchTrigger({ type: 'record.created' }, 'product', event())).toBeNull();
    expect(
      matchTrigger({ type: 'record.deleted' }, 'product', event({ type: 'product.deleted' })),
    ).toEqual(own);
    expect(matchTrigger({ type: 'record.updated' }, 'contact', event())).toBeNull();
    expect(
      matchTrigger({ type: 'record.updated' }, 'product', event({ entityId: null })),
    ).toBeNull();
    expect(matchTrigger({ type: 'manual' }, 'product', event())).toBeNull();
  });

  it('matches field.changed when the update changed the field', () => {
    const trigger = { type: 'field.changed' as const, field: 'status', to: 'active' };
    expect(matchTrigger(trigger, 'product', event())).not.toBeNull();
    expect(matchTrigger(trigger, 'product', event({ changedFields: ['name'] }))).toBeNull();
    expect(matchTrigger(trigger, 'product', event({ type: 'product.created' }))).toBeNull();
  });

  it('matches field.changed from a previous value (data.previous, compared as text)', () => {
    const priced = event({
      type: 'product.updated',
      entityType: 'product',
      entityId: 'p1',
      changedFields: ['price', 'name'],
      data: { previous: { price: '10.0000', name: 'Tea', description: null } },
    });
    const from = (value: string | number | boolean | null, field = 'price') =>
      matchTrigger({ type: 'field.changed', field, from: value }, 'product', priced);
    expect(from('10.00')).toEqual({ entityType: 'product', entityId: 'p1' });
    expect(from('10')).not.toBeNull(); // decimals by value: the database keeps scale 4
    expect(from(10)).not.toBeNull();
    expect(from('10.01')).toBeNull();
    expect(from('1000')).toBeNull();
    expect(from('Tea', 'name')).not.toBeNull();
    expect(from('Coffee', 'name')).toBeNull();
    expect(from(null, 'description')).toBeNull(); // not a changed field
    const cleared = event({
      type: 'product.updated',
      entityType: 'product',
      entityId: 'p1',
      changedFields: ['description'],
      data: { previous: { description: null } },
    });
    expect(
      matchTrigger({ type: 'field.changed', field: 'description', from: null }, 'product', cleared),
    ).not.toBeNull();
    expect(
      matchTrigger({ type: 'field.changed', field: 'description', from: 'x' }, 'product', cleared),
    ).toBeNull();
  });

  it('matches workflow.transitioned on its target, action and state', () => {
    const wf = event({
      type: 'workflow.transitioned',
      entityType: 'workflow_instance',
      entityId: 'w1',
      data: { target: { entityType: 'product', entityId: 'p9' }, action: 'approve', to: 'ok' },
    });
    expect(matchTrigger({ type: 'workflow.transitioned' }, 'product', wf)).toEqual({
      entityType: 'product',
      entityId: 'p9',
    });
    expect(
      matchTrigger({ type: 'workflow.transitioned', action: 'reject' }, 'product', wf),
    ).toBeNull();
    expect(matchTrigger({ type: 'workflow.transitioned', to: 'ok' }, 'contact', wf)).toBeNull();
  });

  it('reads the causing rule from the event data', () => {
    expect(causingRuleId({ causation: { automationRuleId: 'r1' } })).toBe('r1');
    expect(causingRuleId({})).toBeNull();
    expect(causingRuleId({ causation: { automationRuleId: 7 } })).toBeNull();
  });

  it('reports trigger problems with JSON pointers', () => {
    expect(triggerIssues({ type: 'record.updated' })).toEqual([]);
    expect(triggerIssues(null)[0].pointer).toBe('/trigger');
    expect(triggerIssues({ type: 'cron' })[0].pointer).toBe('/trigger/type');
    expect(triggerIssues({ type: 'field.changed' }).map((i) => i.pointer)).toEqual([
      '/trigger/field',
    ]);
    expect(triggerIssues({ type: 'manual', extra: 1 }).map((i) => i.pointer)).toEqual([
      '/trigger/extra',
    ]);
  });

  it('maps ajv errors to pointers under a base', () => {
    const schema = {
      type: 'object',
      required: ['userIds'],
      properties: { userIds: { type: 'array', items: { type: 'string', format: 'uuid' } } },
    };
    expect(schemaIssues(schema, { userIds: ['nope'] }, '/actions/2/params')).toEqual([
      expect.objectContaining({ pointer: '/actions/2/params/userIds/0' }),
    ]);
    expect(schemaIssues(schema, {}, '/p')[0].pointer).toBe('/p/userIds');
  });
});
