import { normalizeName } from '../../core/text';
import { distinctTagNames, isValidTagName, TAG_NAME_PATTERN, tagNameKey } from './tag-names';

describe('tag names', () => {
  it('folds case and Unicode forms into one key', () => {
    const key = tagNameKey('Café');
    for (const lookAlike of ['CAFE\u0301', 'ＣＡＦÉ', 'ca\u200bfé', '  café ', 'cafe\u0301'])
      expect([lookAlike, tagNameKey(lookAlike)]).toEqual([lookAlike, key]);
    expect(tagNameKey('Straße')).toBe(tagNameKey('STRASSE'));
    expect(tagNameKey('ﬁne')).toBe('fine');
    expect(tagNameKey('ΟΔΟΣ')).toBe(tagNameKey('οδος'));
    // Different scripts stay different names.
    expect(tagNameKey('\u0430pple')).not.toBe(tagNameKey('apple'));
    expect(tagNameKey('Cafe')).not.toBe(key);
  });

  it('gives printable ASCII names the key of the full folding rule', () => {
    const full = (name: string) =>
      normalizeName(name).normalize('NFKC').toUpperCase().toLowerCase().normalize('NFKC');
    const ascii = Array.from({ length: 128 }, (_, code) => String.fromCharCode(code));
    const samples = [
      '',
      'bulk',
      'Bench',
      'TEA time',
      ' a  b ',
      'ß',
      'İ',
      'ﬁ',
      'ＣＡＦÉ',
      'Cafe\u0301',
    ];
    for (const x of ascii) for (const y of ascii) samples.push(x + y, `A${x}${y}z`);
    for (const name of samples) expect([name, tagNameKey(name)]).toEqual([name, full(name)]);
  });

  it('refuses separators and control characters, also in compatibility form', () => {
    for (const bad of [
      '',
      'a,b',
      'a|b',
      'a\u0000',
      'a\u007f',
      'a\u0085',
      'a\uff0cb',
      'a\uff5cb',
      'x'.repeat(51),
    ])
      expect([bad, isValidTagName(bad)]).toEqual([bad, false]);
    for (const good of ['tea', 'Café Crème', 'x'.repeat(50), 'a&b', 'émoji 🍵', 'a:b-c_d.e'])
      expect([good, isValidTagName(good) && TAG_NAME_PATTERN.test(good)]).toEqual([good, true]);
  });

  it('deduplicates by folded key, keeping the first spelling and the order', () => {
    expect(distinctTagNames(['Tea', ' TEA ', 'x', 'ＴＥＡ', 'X', 'y'])).toEqual(['Tea', 'x', 'y']);
  });
});
