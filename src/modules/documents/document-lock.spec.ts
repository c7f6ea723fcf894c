import { liveLock, mayWrite } from './document-lock';

describe('document locks', () => {
  const now = new Date('2026-12-01T12:00:00Z');
  const row = (expires: string | null, by: string | null = 'u1') => ({
    locked_by: by,
    locked_at: by ? new Date('2026-12-01T11:00:00Z') : null,
    lock_expires_at: expires ? new Date(expires) : null,
  });

  it('an unlocked document blocks nobody', () => {
    expect(liveLock(row(null, null), now)).toBeNull();
    expect(mayWrite(row(null, null), 'u2', now)).toBe(true);
    expect(mayWrite(row(null, null), null, now)).toBe(true);
  });

  it('a live lock lets only its holder write (an API key holds none)', () => {
    const locked = row('2026-12-01T12:30:00Z');
    expect(liveLock(locked, now)?.lockedBy).toBe('u1');
    expect(mayWrite(locked, 'u1', now)).toBe(true);
    expect(mayWrite(locked, 'u2', now)).toBe(false);
    expect(mayWrite(locked, null, now)).toBe(false);
  });

  it('a lock expiring at or before now has expired and blocks nobody', () => {
    expect(liveLock(row('2026-12-01T12:00:00Z'), now)).toBeNull();
    expect(mayWrite(row('2026-12-01T11:59:59Z'), 'u2', now)).toBe(true);
  });
});
