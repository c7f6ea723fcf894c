/** The retry schedule's settings (`WEBHOOK_RETRY_*`, in AppConfig.webhooks). */
export interface BackoffSettings {
  /** Delay before the 2nd attempt, in ms (30 s by default). */
  baseMs: number;
  /** Largest delay between two attempts, in ms (1 h by default). */
  maxMs: number;
  /** No attempt starts later than this after the first one, in ms (24 h by default). */
  windowMs: number;
}

/** ± this share of the delay is random, so failing receivers are not hit in lockstep. */
export const JITTER = 0.2;

/**
 * The delay before the next attempt after `attempts` failed ones (1 = after the first attempt):
 * `base · 2^(attempts-1)`, capped at `maxMs`, then jittered by ±20 % (`random` in [0, 1)). With
 * the defaults: 30 s, 1 min, 2 min, 4 min … 1 h, 1 h … Stripe and GitHub retry on the same shape.
 */
export function retryDelayMs(
  attempts: number,
  settings: BackoffSettings,
  random: () => number = Math.random,
): number {
  const exponent = Math.min(Math.max(attempts - 1, 0), 40);
  const raw = Math.min(settings.baseMs * 2 ** exponent, settings.maxMs);
  return Math.max(1, Math.round(raw * (1 - JITTER + 2 * JITTER * random())));
}

/**
 * When to try again after `attempts` failed attempts, or `null` when the next attempt would start
 * after the retry window (counted from `firstAttemptAt`): the delivery has then failed for good.
 */
export function nextAttemptAt(
  attempts: number,
  firstAttemptAt: Date,
  now: Date,
  settings: BackoffSettings,
  random: () => number = Math.random,
): Date | null {
  const next = new Date(now.getTime() + retryDelayMs(attempts, settings, random));
  return next.getTime() - firstAttemptAt.getTime() > settings.windowMs ? null : next;
}
