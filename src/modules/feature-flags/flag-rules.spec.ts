import { randomUUID } from 'node:crypto';
import { bucketOf, FlagDefinition, isOn } from './flag-rules';

const subject = (userId: string | null = randomUUID(), organizationId: string | null = null) => ({
  userId,
  organizationId,
  environment: 'production',
});

describe('feature flag evaluation', () => {
  it('a disabled flag is off whatever its rules', () => {
    const user = randomUUID();
    const flag: FlagDefinition = {
      key: 'x',
      enabled: false,
      rules: { userIds: [user], percentage: 100 },
    };
    expect(isOn(flag, subject(user))).toBe(false);
  });

  it('with no targeting an enabled flag is on for everyone, in its environments only', () => {
    const flag: FlagDefinition = { key: 'x', enabled: true, rules: {} };
    expect(isOn(flag, subject())).toBe(true);
    expect(isOn(flag, subject(null))).toBe(true);
    const stagingOnly = { ...flag, rules: { environments: ['staging'] } };
    expect(isOn(stagingOnly, subject())).toBe(false);
    expect(isOn(stagingOnly, { ...subject(), environment: 'staging' })).toBe(true);
  });

  it('targets listed users and organizations', () => {
    const user = randomUUID();
    const org = randomUUID();
    const flag: FlagDefinition = {
      key: 'x',
      enabled: true,
      rules: { userIds: [user], organizationIds: [org] },
    };
    expect(isOn(flag, subject(user))).toBe(true);
    expect(isOn(flag, subject(randomUUID(), org))).toBe(true);
    expect(isOn(flag, subject())).toBe(false);
  });

  it('percentage rollout is stable per user and within ±5 % of the target over 10k users', () => {
    for (const percentage of [10, 25, 50, 90]) {
      const flag: FlagDefinition = {
        key: `rollout-${percentage}`,
        enabled: true,
        rules: { percentage },
      };
      const users = Array.from({ length: 10_000 }, (_, i) => `user-${i}`);
      const on = users.filter((u) => isOn(flag, subject(u))).length;
      expect(Math.abs(on / 100 - percentage)).toBeLessThanOrEqual(5);
      for (const u of users.slice(0, 200))
        expect(isOn(flag, subject(u))).toBe(isOn(flag, subject(u)));
    }
    expect(bucketOf('a', 'user-1')).toBe(bucketOf('a', 'user-1'));
    expect(bucketOf('a', 'user-1')).not.toBe(bucketOf('b', 'user-1')); // flags do not all pick the same users
    const zero: FlagDefinition = { key: 'z', enabled: true, rules: { percentage: 0 } };
    expect(isOn(zero, subject())).toBe(false);
    expect(isOn({ ...zero, rules: { percentage: 50 } }, subject(null))).toBe(false); // no user, no bucket
  });
});
