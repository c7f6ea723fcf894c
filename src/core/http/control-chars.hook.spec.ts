import type { FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import { controlCharIssues } from './control-chars.hook';

const request = (parts: Partial<Pick<FastifyRequest, 'headers' | 'params' | 'query' | 'body'>>) =>
  ({ headers: {}, params: {}, query: {}, body: undefined, ...parts }) as FastifyRequest;

describe('controlCharIssues', () => {
  it('is empty for a clean request, multi-line body text and a tab in a header', () => {
    expect(
      controlCharIssues(
        request({
          headers: { 'user-agent': 'a\tb' },
          params: { id: 'x' },
          query: { q: 'café', tags: ['a', 'b'] },
          body: { notes: 'line 1\r\n\tline 2', items: [{ n: 1, ok: true, none: null }] },
        }),
      ),
    ).toEqual([]);
  });

  it('names each body pointer (escaped per RFC 6901), parameter and header', () => {
    const issues = controlCharIssues(
      request({
        headers: { 'idempotency-key': 'k\u0000' },
        params: { id: 'a\u001fb' },
        query: { q: ['ok', 'a\nb'], 'b\u0000ad': 'x' },
        body: { 'a/b~c': 'x\u0000', list: ['ok', { deep: '\u0007' }], ['k\u0001']: 'v' },
      }),
    );
    expect(issues.map((i) => i.pointer ?? i.parameter ?? i.header)).toEqual([
      'idempotency-key',
      'id',
      'q',
      'b\u0000ad',
      '/k\u0001',
      '/a~1b~0c',
      '/list/1/deep',
    ]);
    expect(issues.find((i) => i.header)).toMatchObject({ header: 'idempotency-key' });
  });

  it('a whole-string body is pointer ""; a raw upload stream is not walked', () => {
    expect(controlCharIssues(request({ body: '\u0000' }))).toEqual([
      { pointer: '', detail: expect.stringContaining('The body') as string },
    ]);
    expect(controlCharIssues(request({ body: Readable.from(['\u0000']) }))).toEqual([]);
  });
});
