import { SeenKeys } from './seen-keys';

describe('SeenKeys', () => {
  it('answers exactly like a Set over many keys, across growth', () => {
    const keys = new SeenKeys();
    const reference = new Set<string>();
    for (let i = 0; i < 200_000; i += 1) {
      const key = `imp-${(i * 7919) % 150_000}`; // duplicates after 150,000
      expect(keys.add(key)).toBe(!reference.has(key));
      reference.add(key);
    }
    expect(keys.size).toBe(reference.size);
    expect(keys.has('imp-149999')).toBe(true);
    expect(keys.has('imp-150000')).toBe(false);
  });

  it('compares bytes, so hash collisions and look-alikes stay distinct', () => {
    const keys = new SeenKeys();
    // Precomposed and decomposed é are different keys (normalisation happens before, in the importer).
    expect(keys.add('caf\u00e9')).toBe(true);
    expect(keys.add('cafe\u0301')).toBe(true);
    expect(keys.add('')).toBe(true);
    expect(keys.add('')).toBe(false);
    expect(keys.add('ключ')).toBe(true);
    expect(keys.has('ключ')).toBe(true);
    expect(keys.has('ключи')).toBe(false);
    // Known FNV-1a 32-bit collision pair: same hash, different keys.
    expect(keys.add('costarring')).toBe(true);
    expect(keys.add('liquid')).toBe(true);
    expect(keys.has('costarring') && keys.has('liquid')).toBe(true);
  });

  it('refuses a key too long for its length prefix', () => {
    expect(() => new SeenKeys().add('x'.repeat(70_000))).toThrow(RangeError);
  });
});
