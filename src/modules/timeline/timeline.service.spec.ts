import { mergeNewestFirst } from './timeline.service';
import type { TimelineEntry } from './timeline-sources';

const entry = (id: string, at: string, kind: TimelineEntry['kind'] = 'comment'): TimelineEntry => ({
  id,
  kind,
  at,
  actorUserId: null,
  data: {},
});

describe('mergeNewestFirst', () => {
  it('orders by time descending, then id descending, and cuts at the limit', () => {
    const a = [
      entry('00000000-0000-7000-8000-00000000000a', '2026-01-01T10:00:00.000002Z'),
      entry('00000000-0000-7000-8000-000000000001', '2026-01-01T09:00:00.000000Z'),
    ];
    const b = [
      entry('00000000-0000-7000-8000-00000000000b', '2026-01-01T10:00:00.000002Z', 'attachment'),
      entry('00000000-0000-7000-8000-000000000002', '2026-01-01T08:00:00.000000Z', 'attachment'),
    ];
    const { items, more } = mergeNewestFirst([a, b], 3);
    expect(items.map((e) => e.id.slice(-1))).toEqual(['b', 'a', '1']);
    expect(more).toBe(true);
    expect(mergeNewestFirst([a, b], 4).more).toBe(false);
  });

  it('compares a millisecond source with a microsecond source by their instants', () => {
    const milli = [entry('00000000-0000-7000-8000-000000000001', '2026-01-01T10:00:00.123Z')];
    const micro = [
      entry('00000000-0000-7000-8000-000000000002', '2026-01-01T10:00:00.123400Z'),
      entry('00000000-0000-7000-8000-000000000003', '2026-01-01T10:00:00.122999Z'),
    ];
    // .1234 is later than .123 (= .123000); as raw text ".123Z" would sort after ".1234".
    expect(mergeNewestFirst([milli, micro], 10).items.map((e) => e.id.slice(-1))).toEqual([
      '2',
      '1',
      '3',
    ]);
    const whole = [entry('00000000-0000-7000-8000-000000000004', '2026-01-01T10:00:01Z')];
    expect(mergeNewestFirst([milli, whole], 10).items[0].id.slice(-1)).toBe('4');
  });
});
