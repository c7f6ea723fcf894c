import { hashShareToken, newShareToken, sameHash, shareTokenOrganization } from './share-token';

describe('share tokens', () => {
  const org = '0192f0c4-8a5e-7c3d-9b1a-2f3e4d5c6b7a';

  it('carries its organization and 256 random bits; only the hash is stored', () => {
    const { token, hash } = newShareToken(org);
    expect(token).toMatch(/^[A-Za-z0-9_-]{64}$/);
    expect(shareTokenOrganization(token)).toBe(org);
    expect(hash).toBe(hashShareToken(token));
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(newShareToken(org).token).not.toBe(token);
  });

  it('refuses what is not a token of ours', () => {
    expect(shareTokenOrganization('short')).toBeNull();
    expect(shareTokenOrganization(`${'a'.repeat(63)}!`)).toBeNull();
    expect(shareTokenOrganization(`${'a'.repeat(63)}\u0000`)).toBeNull();
  });

  it('compares hashes in constant time and by value', () => {
    const hash = hashShareToken('x');
    expect(sameHash(hash, hashShareToken('x'))).toBe(true);
    expect(sameHash(hash, hashShareToken('y'))).toBe(false);
    expect(sameHash(hash, 'ab')).toBe(false);
  });
});
