import { resolveChannels } from './notification-types';

describe('resolveChannels', () => {
  it('uses the registry default without preferences', () => {
    expect(resolveChannels('comment.new', [])).toEqual({ realtime: true, email: 'immediate' });
    expect(resolveChannels('record.updated', [])).toEqual({ realtime: true, email: 'off' });
  });

  it('prefers the exact type over *, and * over the default', () => {
    const star = {
      type: '*',
      channel: 'email' as const,
      enabled: true,
      emailMode: 'digest_daily' as const,
    };
    const exact = {
      type: 'comment.new',
      channel: 'email' as const,
      enabled: false,
      emailMode: null,
    };
    expect(resolveChannels('comment.mention', [star]).email).toBe('digest_daily');
    expect(resolveChannels('comment.new', [star, exact]).email).toBe('off');
    const mutedRealtime = {
      type: '*',
      channel: 'realtime' as const,
      enabled: false,
      emailMode: null,
    };
    expect(resolveChannels('broadcast', [mutedRealtime]).realtime).toBe(false);
  });

  it('ignores preferences for a type that cannot be muted', () => {
    const off = { type: '*', channel: 'email' as const, enabled: false, emailMode: null };
    expect(resolveChannels('security.notice', [off])).toEqual({
      realtime: true,
      email: 'immediate',
    });
  });
});
