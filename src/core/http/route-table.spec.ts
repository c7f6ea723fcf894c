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

  it('answers as a scan of every route would, with the matched template narrowing the scan', () => {
    const wide = new RouteTable();
    wide.add(['GET', 'HEAD', 'PATCH'], '/api/v1/products/:id');
    wide.add('GET', '/api/v1/products/export');
    wide.add('POST', '/api/v1/products/:id/archive');
    wide.add('GET', '/api/v1/:module/:id');
    wide.add('PUT', '/api/v1/products/:id/');
    wide.add(['GET', 'HEAD'], '/docs/*');
    wide.add('DELETE', '/docs/:page/raw');
    const templates = [
      '/api/v1/products/:id',
      '/api/v1/products/:id/archive',
      '/api/v1/:module/:id',
      '/api/v1/products/:id/',
      '/docs/*',
    ];
    const paths = [
      '/api/v1/products/export',
      '/api/v1/products/export?x=1',
      '/api/v1/products/abc',
      '/api/v1/products/abc/',
      '/api/v1/products/abc/archive',
      '/api/v1/orders/abc',
      '/docs/index.html',
      '/docs/a/raw',
      '/docs/a/b/c',
    ];
    for (const matched of templates)
      for (const path of paths)
        for (const method of ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS'])
          // A template nobody registered: the table scans every route.
          expect([method, path, matched, wide.resolve(method, path, matched)]).toEqual([
            method,
            path,
            matched,
            wide.resolve(method, path, '/unregistered/:x'),
          ]);
  });
});
