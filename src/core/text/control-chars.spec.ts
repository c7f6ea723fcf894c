import {
  describeControlChar,
  findForbiddenControlChar,
  hasForbiddenControlChars,
} from './control-chars';

describe('control characters in client strings', () => {
  it('finds NUL and every other C0 control; tab and line breaks only in multi-line text', () => {
    expect(findForbiddenControlChar('a\u0000b')).toBe(1);
    expect(findForbiddenControlChar('plain text, é ü 漢字')).toBe(-1);
    for (let code = 0; code < 0x20; code += 1) {
      const value = `x${String.fromCharCode(code)}`;
      expect(hasForbiddenControlChars(value)).toBe(true);
      expect(hasForbiddenControlChars(value, { allowNewlines: true })).toBe(
        ![0x09, 0x0a, 0x0d].includes(code),
      );
    }
    expect(hasForbiddenControlChars('\u007f\u0080')).toBe(false); // DEL and C1 are not C0
  });

  it('names the character by code point', () => {
    expect(describeControlChar('ab\u0007', 2)).toBe('U+0007');
    expect(describeControlChar('\u0000', 0)).toBe('U+0000');
  });
});
