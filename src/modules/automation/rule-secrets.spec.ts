import { randomBytes } from 'node:crypto';
import { UNREADABLE_SECRET } from '../../core/automation';
import { openRuleSecrets, sealRuleSecrets } from './rule-secrets';

describe('rule secrets at rest', () => {
  const key = randomBytes(32);
  const actions = [
    { type: 'add_tag', params: { names: ['x'] } },
    {
      type: 'call_webhook',
      params: {
        url: 'https://example.com/hook',
        secret: 'a-signing-secret-0123456789',
        headers: { Authorization: 'Bearer t0k3n', 'X-Plain': 'v' },
        body: { secret: 'not a param: the body is shown as written' },
      },
    },
  ];

  it('seals the secret and every header value, leaves the rest readable, and opens them back', () => {
    const sealed = sealRuleSecrets(actions, key, 'rule-1');
    const text = JSON.stringify(sealed);
    expect(text).not.toContain('a-signing-secret-0123456789');
    expect(text).not.toContain('Bearer t0k3n');
    expect(text).toContain('https://example.com/hook');
    expect(text).toContain('not a param');
    expect(sealed[0]).toBe(actions[0]);
    expect(sealed[1].params.secret).toMatch(/^sealed:v1\./);
    expect(openRuleSecrets(sealed, key, 'rule-1')).toEqual(actions);
  });

  it('always seals, even a value that looks sealed (a client cannot hand the server a ciphertext)', () => {
    const looksSealed = sealRuleSecrets(actions, key, 'rule-1')[1].params.secret as string;
    const input = [
      { type: 'call_webhook', params: { url: 'https://x.test', secret: looksSealed } },
    ];
    const stored = sealRuleSecrets(input, key, 'rule-2');
    expect(openRuleSecrets(stored, key, 'rule-2')[0].params.secret).toBe(looksSealed);
  });

  it('a value sealed for another rule or under another key opens as UNREADABLE_SECRET', () => {
    const sealed = sealRuleSecrets(actions, key, 'rule-1');
    for (const opened of [
      openRuleSecrets(sealed, key, 'rule-2'),
      openRuleSecrets(sealed, randomBytes(32), 'rule-1'),
    ]) {
      expect(opened[1].params.secret).toBe(UNREADABLE_SECRET);
      expect((opened[1].params.headers as Record<string, string>).Authorization).toBe(
        UNREADABLE_SECRET,
      );
    }
  });

  it('passes values stored before sealing through unchanged', () => {
    expect(openRuleSecrets(actions, key, 'rule-1')).toEqual(actions);
  });
});
