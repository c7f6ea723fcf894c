import { cellText, copyLine, excelNumberText } from './row-source';

describe('XLSX cells read as Excel shows them', () => {
  it('numbers: 15 significant digits, plain notation', () => {
    expect(excelNumberText(1.1 * 3)).toBe('3.3'); // stored 3.3000000000000003
    expect(excelNumberText(0.1 + 0.2)).toBe('0.3');
    expect(excelNumberText(12.5)).toBe('12.5');
    expect(excelNumberText(1e-7)).toBe('0.0000001');
    expect(excelNumberText(2 ** 60)).toBe('1152921504606850000'); // 1152921504606846976
    expect(excelNumberText(-0)).toBe('0');
    expect(excelNumberText(1.23456)).toBe('1.23456'); // still too many decimals for a price
  });

  it('formulas by their saved result; errors and missing results are problems, not guesses', () => {
    expect(cellText({ formula: '1.1*3', result: 3.3000000000000003 })).toEqual({ text: '3.3' });
    expect(cellText({ sharedFormula: 'A1', result: 'x' })).toEqual({ text: 'x' });
    expect(cellText({ formula: 'B2*2' })).toHaveProperty('problem');
    expect(cellText({ error: '#DIV/0!' })).toEqual({
      problem: 'the cell holds the error #DIV/0!',
    });
  });

  it('dates, booleans, rich text, hyperlinks and _xHHHH_ escapes', () => {
    expect(cellText(new Date(Date.UTC(2026, 0, 15)))).toEqual({ text: '2026-01-15' });
    expect(cellText(new Date(Date.UTC(2026, 0, 15, 9, 30)))).toEqual({
      text: '2026-01-15T09:30:00.000Z',
    });
    expect(cellText(true)).toEqual({ text: 'true' });
    expect(cellText({ richText: [{ text: 'Earl ' }, { text: 'Grey' }] })).toEqual({
      text: 'Earl Grey',
    });
    expect(cellText({ text: 'site', hyperlink: 'https://example.test' })).toEqual({
      text: 'site',
    });
    expect(cellText('Bell_x0007_here_x005F_')).toEqual({ text: 'Bell\u0007here_' });
    expect(cellText(null)).toEqual({ text: '' });
  });
});

describe('COPY lines', () => {
  it("quote every value so '' stays empty text and only null is NULL", () => {
    expect(copyLine(['a', '', null, undefined, 'say "hi"', 3])).toBe('"a","",,,"say ""hi""","3"\n');
  });
});
