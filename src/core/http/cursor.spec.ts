import { CursorCodec } from './cursor';
import { parseListQuery } from './list-query';
import { ValidationFailedError } from './errors';

const SECRET = 'a-test-secret-of-enough-length';
const position = {
  scope: 'products|created_at|timestamptz|ASC',
  key: '2026-11-30T23:36:15.123456Z',
  id: '0192f0c4-0000-7000-8000-000000000001',
};

describe('CursorCodec', () => {
  const codec = new CursorCodec(SECRET);

  it('round-trips a position exactly (microseconds, null keys, unicode text)', () => {
    expect(codec.decode(codec.encode(position))).toEqual(position);
    const nullKey = { ...position, key: null };
    expect(codec.decode(codec.encode(nullKey))).toEqual(nullKey);
    const text = { ...position, key: 'Café "crème" ☕' };
    expect(codec.decode(codec.encode(text))).toEqual(text);
  });

  it('is opaque: url-safe, and not plain JSON', () => {
    const cursor = codec.encode(position);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(cursor).not.toContain('2026');
  });

  it('refuses a tampered body, a tampered signature, another key and garbage', () => {
    const cursor = codec.encode(position);
    const [body, signature] = cursor.split('.');
    const edited = Buffer.from(
      Buffer.from(body, 'base64url').toString('utf8').replace('.123456', '.123457'),
    ).toString('base64url');
    expect(codec.decode(`${edited}.${signature}`)).toBeUndefined();
    const flipped = signature.startsWith('A') ? `B${signature.slice(1)}` : `A${signature.slice(1)}`;
    expect(codec.decode(`${body}.${flipped}`)).toBeUndefined();
    expect(codec.decode(`${body}.${signature.slice(0, -2)}`)).toBeUndefined();
    expect(new CursorCodec('another-secret-of-length').decode(cursor)).toBeUndefined();
    for (const garbage of ['', 'garbage', body, '.', `${body}.`, 'eyJrIjoxfQ', 'a.b.c', '%00']) {
      expect(codec.decode(garbage)).toBeUndefined();
    }
    expect(codec.decode('a'.repeat(5000))).toBeUndefined();
  });

  it('needs a real secret', () => {
    expect(() => new CursorCodec('short')).toThrow();
  });
});

describe('parseListQuery with ?cursor=', () => {
  const codec = new CursorCodec(SECRET);
  const definition = {
    resource: 'cursor-spec',
    fields: {},
    sortable: ['createdAt'],
    defaultSort: 'createdAt',
    filters: {},
    cursor: true,
  };
  const limits = { defaultSize: 20, maxSize: 100 };

  it('verifies the cursor and hands the codec on for the next one', () => {
    const query = parseListQuery(definition, { cursor: codec.encode(position) }, limits, codec);
    expect(query.cursor).toEqual(position);
    expect(query.cursorCodec).toBe(codec);
  });

  it.each(['garbage', 'eyJrIjoxfQ', codec.encode(position).replace(/.$/, '_')])(
    'answers 422 naming `cursor` for %s',
    (raw) => {
      let error: unknown;
      try {
        parseListQuery(definition, { cursor: raw }, limits, codec);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ValidationFailedError);
      expect((error as ValidationFailedError).issues).toEqual([
        expect.objectContaining({ parameter: 'cursor' }),
      ]);
    },
  );

  it('refuses a cursor on a list without cursor mode, and without a codec', () => {
    const cursor = codec.encode(position);
    expect(() =>
      parseListQuery({ ...definition, cursor: false }, { cursor }, limits, codec),
    ).toThrow(ValidationFailedError);
    expect(() => parseListQuery(definition, { cursor }, limits)).toThrow(ValidationFailedError);
  });
});
