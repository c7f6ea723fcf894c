/** `today`, or a day offset from it: `-7d`, `+3d`, `-2w`, `-1m` (1–4 digits). */
export const DATE_TOKEN = /^(today|[+-]\d{1,4}[dwm])$/;

const isValidZone = (timeZone: string): boolean => {
  try {
    new Intl.DateTimeFormat('en-CA', { timeZone });
    return true;
  } catch {
    return false;
  }
};

/** The calendar date (`YYYY-MM-DD`) of `now` in `timeZone` (an unknown zone counts as UTC). */
export function localDay(now: Date, timeZone: string): string {
  const zone = timeZone && isValidZone(timeZone) ? timeZone : 'UTC';
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: zone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(now);
}

/** `day` (`YYYY-MM-DD`) moved by `amount` days, weeks or months (a month end clamps: 03-31 −1m = 02-28/29). */
export function shiftDay(day: string, amount: number, unit: 'd' | 'w' | 'm'): string {
  const [y, m, d] = day.split('-').map(Number);
  let date: Date;
  if (unit === 'm') {
    const first = new Date(Date.UTC(y, m - 1 + amount, 1));
    const last = new Date(
      Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0),
    ).getUTCDate();
    date = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth(), Math.min(d, last)));
  } else {
    date = new Date(Date.UTC(y, m - 1, d + amount * (unit === 'w' ? 7 : 1)));
  }
  return date.toISOString().slice(0, 10);
}

/** The date a token stands for, in `timeZone`, on `now`; undefined if `token` is not a date token. */
export function resolveDateToken(token: string, now: Date, timeZone: string): string | undefined {
  if (!DATE_TOKEN.test(token)) return undefined;
  const today = localDay(now, timeZone);
  if (token === 'today') return today;
  const sign = token[0] === '-' ? -1 : 1;
  return shiftDay(today, sign * Number(token.slice(1, -1)), token.slice(-1) as 'd' | 'w' | 'm');
}

/** Whether a filter document (JSON text or object) uses a date token anywhere (then the caller needs the time zone). */
export function usesDateToken(raw: unknown): boolean {
  if (typeof raw === 'string') return /"(today|[+-]\d{1,4}[dwm])"/.test(raw);
  try {
    return usesDateToken(JSON.stringify(raw) ?? '');
  } catch {
    return false;
  }
}

/** The zone, or `UTC` when it is not a known IANA zone. */
export const knownZone = (timeZone: string): string =>
  timeZone && isValidZone(timeZone) ? timeZone : 'UTC';
