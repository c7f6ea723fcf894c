import { QueryFailedError } from 'typeorm';
import { mapError } from './error-mapper';

const refused = (code: string, extra: Record<string, string> = {}) =>
  new QueryFailedError(
    'INSERT ...',
    [],
    Object.assign(new Error('raw PostgreSQL text'), { code, ...extra }),
  );

describe('database refusals map to typed answers, never raw text', () => {
  it.each([
    ['23514', 422, 'check_violation'],
    ['23502', 422, 'missing_value'],
    ['22001', 422, 'invalid_value'],
    ['22P02', 422, 'invalid_value'],
    ['22021', 422, 'invalid_value'],
    ['23505', 409, 'conflict'],
  ])('SQLSTATE %s → %i %s', (code, status, expected) => {
    const mapped = mapError(refused(code, { column: 'description', constraint: 'ck_x' }));
    expect(mapped.status).toBe(status);
    expect(mapped.body.errors[0].code).toBe(expected);
    expect(JSON.stringify(mapped.body)).not.toContain('raw PostgreSQL text');
  });

  it('names the missing column of a not-null refusal', () => {
    expect(mapError(refused('23502', { column: 'display_name' })).body.errors[0]).toMatchObject({
      source: { pointer: '/displayName' },
      meta: { field: 'displayName' },
    });
  });
});
