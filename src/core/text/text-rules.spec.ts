import { CONTROL_CHARS_RE, hasForbiddenControlChars } from './control-chars';
import { normalizeName } from './normalize';

describe('hasForbiddenControlChars', () => {
  it.each(['a\u0000b', '\u0001', 'x\u001b[31m', '\u001f', 'a\u000bb', 'a\u000cb'])(
    'refuses %j in every mode',
    (value) => {
      expect(hasForbiddenControlChars(value)).toBe(true);
      expect(hasForbiddenControlChars(value, { allowNewlines: true })).toBe(true);
    },
  );

  it.each(['a\tb', 'line 1\nline 2', 'a\r\nb'])('allows %j only with allowNewlines', (value) => {
    expect(hasForbiddenControlChars(value)).toBe(true);
    expect(hasForbiddenControlChars(value, { allowNewlines: true })).toBe(false);
  });

  it.each(['plain', 'Café Crème', '\u007f', '\u0085', 'emoji 🍵', ''])('accepts %j', (value) => {
    expect(hasForbiddenControlChars(value)).toBe(false);
    expect(hasForbiddenControlChars(value, { allowNewlines: true })).toBe(false);
  });

  it('CONTROL_CHARS_RE is exactly U+0000-U+001F', () => {
    for (let code = 0; code < 0x80; code++)
      expect(CONTROL_CHARS_RE.test(String.fromCharCode(code))).toBe(code < 0x20);
  });
});

describe('normalizeName', () => {
  it.each([
    [' Cat C ', 'Cat C'],
    ['Cat\u200b C', 'Cat C'],
    ['Cat  \t C', 'Cat C'],
    ['Cat\nC', 'Cat C'],
    ['\ufeffCat C\u2060', 'Cat C'],
    ['Ca\u200ct\u200d C', 'Cat C'],
    ['Cafe\u0301', 'Caf\u00e9'],
    ['Caf\u00e9', 'Caf\u00e9'],
    ['a\u00a0\u3000\u2003b', 'a b'],
    ['\u200b', ''],
    ['Keep Case', 'Keep Case'],
  ])('%j → %j', (input, expected) => {
    expect(normalizeName(input)).toBe(expected);
  });

  it('takes the ASCII shortcut only where the full rule changes nothing', () => {
    const full = (value: string) =>
      value
        .normalize('NFC')
        .replace(/[\u200B-\u200D\u2060\uFEFF]/g, '')
        .replace(/\s+/g, ' ')
        .trim();
    const ascii = Array.from({ length: 128 }, (_, code) => String.fromCharCode(code));
    const samples = ['', ' ', 'a', 'a b', 'a  b', ' a', 'a ', 'IMP-1', 'Imported product 7'];
    for (const x of ascii) for (const y of ascii) samples.push(x + y, `a${x}${y}b`, `${x} ${y}`);
    samples.push('Caf\u00e9', 'Cafe\u0301', 'a\u00a0b', 'a\u200bb', '\u3000', 'ｔｅａ', 'a\u2028b');
    for (const value of samples)
      expect([value, normalizeName(value)]).toEqual([value, full(value)]);
  });

  it('is idempotent', () => {
    for (const value of [' a  b ', 'Cafe\u0301 \u200b x', '\t\n'])
      expect(normalizeName(normalizeName(value))).toBe(normalizeName(value));
  });
});
