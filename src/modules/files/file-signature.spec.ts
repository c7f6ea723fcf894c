import { acceptedType, sniff } from './file-signature';

const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
const exe = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(64, 0x90)]);
const pdf = Buffer.from('%PDF-1.7\n%âãÏÓ\n1 0 obj');
const zip = Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 0, 0]);

describe('file signatures', () => {
  it('recognises accepted types from their bytes', () => {
    expect(sniff(png)?.contentType).toBe('image/png');
    expect(sniff(Buffer.from([0xff, 0xd8, 0xff, 0xe0]))?.contentType).toBe('image/jpeg');
    expect(sniff(pdf)?.contentType).toBe('application/pdf');
    expect(sniff(Buffer.from('sku,name\nA-1,Thé vert\n'))?.contentType).toBe('text/plain');
    expect(sniff(exe)).toBeUndefined();
    expect(sniff(Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1]))).toBeUndefined(); // ELF
    expect(sniff(Buffer.alloc(0))).toBeUndefined();
    expect(sniff(Buffer.alloc(200, 0))).toBeUndefined(); // NUL bytes only
  });

  it('takes text with a rare control byte as text (the importer refuses that cell), not binary', () => {
    const csv = `sku,name\n${'A-1,Tea\n'.repeat(20)}A-2,"Nul\u0000name"\n`;
    expect(sniff(Buffer.from(csv))?.contentType).toBe('text/plain');
    const dense = Buffer.from(`a\u0000b\u0001c\u0002,d\n`);
    expect(sniff(dense)).toBeUndefined();
    expect(sniff(Buffer.from('sku,name\nA-1,Tea\n', 'utf16le'))).toBeUndefined();
  });

  it('accepts a declared type only when the content agrees', () => {
    expect(acceptedType('image/png', sniff(png))).toEqual({
      contentType: 'image/png',
      extension: 'png',
    });
    expect(acceptedType('image/png', sniff(exe))).toBeUndefined(); // a renamed .exe
    expect(acceptedType('image/png', sniff(pdf))).toBeUndefined();
    expect(acceptedType('application/octet-stream', sniff(pdf))?.contentType).toBe(
      'application/pdf',
    );
    expect(
      acceptedType('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', sniff(zip)),
    ).toEqual({
      contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      extension: 'xlsx',
    });
    expect(
      acceptedType('text/csv; charset=utf-8', sniff(Buffer.from('a,b\n1,2\n')))?.extension,
    ).toBe('csv');
    expect(acceptedType('text/csv', sniff(png))).toBeUndefined();
  });
});
