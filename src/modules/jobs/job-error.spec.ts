import { QueryFailedError } from 'typeorm';
import { RuleViolationError } from '../../core/http';
import { jobErrorEnvelope, jobFailure } from './job-error';

const databaseError = (code: string, extra: Record<string, string> = {}) =>
  new QueryFailedError(
    'INSERT ...',
    [],
    Object.assign(new Error('raw pg text'), { code, ...extra }),
  );

describe('task failures shown to clients', () => {
  const shown = (error: unknown, language: 'en' | 'fr' = 'en') =>
    jobErrorEnvelope(jobFailure(error).message, language);

  it('keeps typed codes, maps database errors, hides everything else', () => {
    expect(shown(new RuleViolationError('supplier_rejected', 'Refused'))).toEqual({
      errors: [{ status: '422', code: 'supplier_rejected', detail: 'Refused' }],
    });
    const notNull = shown(databaseError('23502', { column: 'description' }));
    expect(notNull?.errors[0]).toMatchObject({ status: '422', code: 'missing_value' });
    expect(JSON.stringify(notNull)).not.toContain('raw pg text');
    expect(shown(databaseError('42P01'))).toEqual({
      errors: [
        {
          status: '500',
          code: 'internal_server_error',
          detail: 'An unexpected error occurred; it has been logged',
        },
      ],
    });
    expect(shown(new Error('secret at /srv/key'), 'fr')?.errors[0].detail).toBe(
      'Une erreur interne est survenue.',
    );
  });

  it('never shows a reason written another way', () => {
    expect(jobErrorEnvelope(undefined, 'en')).toBeNull();
    expect(jobErrorEnvelope('null value in column "description"', 'en')?.errors[0].code).toBe(
      'internal_server_error',
    );
    expect(jobErrorEnvelope('task-error:[{"trunc', 'en')?.errors[0].code).toBe(
      'internal_server_error',
    );
    expect(jobErrorEnvelope('job stalled more than allowable limit', 'en')?.errors[0].code).toBe(
      'task_stalled',
    );
  });
});
