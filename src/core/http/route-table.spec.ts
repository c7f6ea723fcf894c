import { RouteTable } from './route-table';

describe('RouteTable', () => {
  const table = new RouteTable();
  table.add(['GET', 'HEAD', 'DELETE'], '/api/v1/files/:id');
  table.add('POST', '/api/v1/files/presigned-uploads');
  table.add(['GET', 'HEAD'], '/api/v1/files/:id/content');
  table.add(['GET', 'HEAD'], '/docs/*');

  it('lets the most specific template own a path: a literal beats a parameter', () => {
    expect(table.allowedMethods('/api/v1/files/presigned-uploads')).toEqual(['POST']);
    expect(table.allowedMethods('/api/v1/files/0190c1a2-0000-7000-8000-000000000000')).toEqual([
      'DELETE',
      'GET',
      'HEAD',
    ]);
  });

  it('resolves a fall-through to 405, a wrong method to 405 and an unknown path to 404', () => {
    expect(
      table.resolve('GET', '/api/v1/files/presigned-uploads?x=1', '/api/v1/files/:id'),
    ).toEqual({ kind: 'method-not-allowed', allowed: ['POST'] });
    expect(table.resolve('QUERY', '/api/v1/files/abc/content', undefined)).toEqual({
      kind: 'method-not-allowed',
      allowed: ['GET', 'HEAD'],
    });
    expect(table.resolve('GET', '/api/v1/nope', undefined)).toEqual({ kind: 'not-found' });
    expect(table.resolve('GET', '/api/v1/files/abc', '/api/v1/files/:id')).toEqual({ kind: 'ok' });
    expect(table.resolve('GET', '/docs/index.html', '/docs/*')).toEqual({ kind: 'ok' });
  });
});
