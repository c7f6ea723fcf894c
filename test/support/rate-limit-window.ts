import type { INestApplicationContext } from '@nestjs/common';
import { Clock } from '../../src/core/clock';

/**
 * Makes sure at least `neededSeconds` remain in the current fixed rate-limit window of
 * `windowSeconds` on the app's clock, moving the clock to 1 s past the next window start if not.
 * The guard counts in wall-clock windows (`floor(now / window)`, src/core/rate-limit), so a burst
 * that straddles a boundary is split over two counters and the 429 comes late: call this before
 * a burst whose count the test asserts. The clock stays moved for the rest of the app's life.
 */
export function ensureRoomInRateLimitWindow(
  app: INestApplicationContext,
  windowSeconds: number,
  neededSeconds = 60,
): void {
  const clock = app.get(Clock);
  const windowMs = windowSeconds * 1000;
  const leftMs = windowMs - (clock.now().getTime() % windowMs);
  if (leftMs < Math.min(neededSeconds, windowSeconds - 5) * 1000) clock.advance(leftMs + 1000);
}
