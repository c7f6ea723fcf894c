import { createHmac, randomBytes } from 'node:crypto';
import { nextAttemptAt, retryDelayMs } from './webhook-backoff';
import { eventTypeProblem, matchesEventType } from './webhook-event-types';
import { generateSigningSecret, openSecret, sealSecret } from './webhook-secrets';
import { signPayload, verifySignature } from './webhook-signature';

describe('webhook signature (Stripe scheme)', () => {
  const secret = 'whsec_test';
  const body = '{"id":"e1","type":"product.created"}';

  it('is t=<seconds>,v1=<hex HMAC-SHA256(secret, "t.body")>', () => {
    const header = signPayload(secret, body, 1_764_000_000.9);
    const expected = createHmac('sha256', secret).update(`1764000000.${body}`).digest('hex');
    expect(header).toBe(`t=1764000000,v1=${expected}`);
  });

  it('verifies the exact body within the tolerance only', () => {
    const header = signPayload(secret, body, 1000);
    expect(verifySignature(secret, body, header, 1100)).toBe(true);
    expect(verifySignature(secret, `${body} `, header, 1100)).toBe(false);
    expect(verifySignature('whsec_other', body, header, 1100)).toBe(false);
    expect(verifySignature(secret, body, header, 1000 + 301)).toBe(false);
    expect(verifySignature(secret, body, 't=1000,v1=zz', 1000)).toBe(false);
    expect(verifySignature(secret, body, 'garbage', 1000)).toBe(false);
  });
});

describe('webhook backoff', () => {
  const settings = { baseMs: 30_000, maxMs: 3_600_000, windowMs: 86_400_000 };
  const mid = () => 0.5; // no jitter

  it('doubles from 30 s and caps at 1 h', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 30].map((n) => retryDelayMs(n, settings, mid))).toEqual([
      30_000, 60_000, 120_000, 240_000, 480_000, 960_000, 1_920_000, 3_600_000, 3_600_000,
      3_600_000,
    ]);
  });

  it('jitters by at most ±20 %', () => {
    expect(retryDelayMs(1, settings, () => 0)).toBe(24_000);
    expect(retryDelayMs(1, settings, () => 0.999999)).toBe(36_000);
  });

  it('stops when the next attempt would start after the 24 h window', () => {
    const first = new Date('2026-12-01T00:00:00Z');
    const early = new Date('2026-12-01T01:00:00Z');
    expect(nextAttemptAt(3, first, early, settings, mid)).toEqual(
      new Date(early.getTime() + 120_000),
    );
    const late = new Date('2026-12-01T23:30:00Z');
    expect(nextAttemptAt(20, first, late, settings, mid)).toBeNull();
  });
});

describe('webhook event types', () => {
  it('accepts <resource>.<verb> and <resource>.* of known resources', () => {
    expect(eventTypeProblem('product.created')).toBeNull();
    expect(eventTypeProblem('comment.*')).toBeNull();
    expect(eventTypeProblem('spaceship.created')).toBe('unknown_resource');
    for (const bad of ['product', '*', 'product.', 'Product.created', 'product.created.x', '.x'])
      expect(eventTypeProblem(bad)).toBe('shape');
  });

  it('matches exact types and resource wildcards', () => {
    expect(matchesEventType(['product.created'], 'product.created')).toBe(true);
    expect(matchesEventType(['product.created'], 'product.updated')).toBe(false);
    expect(matchesEventType(['product.*'], 'product.updated')).toBe(true);
    expect(matchesEventType(['product.*'], 'products.updated')).toBe(false);
    expect(matchesEventType(['contact.*'], 'product.updated')).toBe(false);
  });
});

describe('webhook secret storage', () => {
  it('round-trips under the key and row, and fails under another', () => {
    const key = randomBytes(32);
    const secret = generateSigningSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    const sealed = sealSecret(secret, key, 'row-1');
    expect(sealed).not.toContain(secret.slice(6));
    expect(openSecret(sealed, key, 'row-1')).toBe(secret);
    expect(() => openSecret(sealed, key, 'row-2')).toThrow();
    expect(() => openSecret(sealed, randomBytes(32), 'row-1')).toThrow();
  });
});
