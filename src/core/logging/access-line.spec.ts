import { createServer, request as httpRequest, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { pinoHttp } from 'pino-http';
import type { AppConfig } from '../config';
import { httpLoggerOptions, rootLogger } from './logging.module';

/** A server logging through pino-http with our options; `lines` are the JSON lines written. */
async function serve(level: string, status: number) {
  const out = new PassThrough();
  const lines: Record<string, unknown>[] = [];
  out.on('data', (chunk: Buffer) =>
    chunk
      .toString()
      .split('\n')
      .filter(Boolean)
      .forEach((line) => lines.push(JSON.parse(line) as Record<string, unknown>)),
  );
  const config = { app: { logLevel: level, name: 'alees', environment: 'test' } } as AppConfig;
  const log = pinoHttp(httpLoggerOptions(config, out));
  const server: Server = createServer((req, res) => {
    (req as typeof req & { id: string }).id = 'req-0001';
    log(req, res);
    req.log.info({ password: 'hunter2' }, 'handled');
    res.statusCode = status;
    res.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve, reject) => {
    const req = httpRequest(
      {
        port,
        path: '/api/v1/me/calendar.ics?token=s3cret',
        headers: { authorization: 'Bearer secret-token', 'user-agent': 'spec/1' },
      },
      (res) => res.resume().on('end', resolve),
    );
    req.on('error', reject).end();
  });
  await new Promise((resolve) => setTimeout(resolve, 20));
  await new Promise((resolve) => server.close(resolve));
  return lines;
}

describe('access line', () => {
  it('carries the request (redacted url), the status and the request id; no secrets', async () => {
    const lines = await serve('info', 200);
    expect(lines.map((l) => l.msg)).toEqual(['handled', 'request completed']);
    expect(lines[0]).toMatchObject({ requestId: 'req-0001', password: '[redacted]' });
    expect(lines[0].req).toBeUndefined();
    expect(lines[1]).toMatchObject({
      level: 30,
      app: 'alees',
      env: 'test',
      requestId: 'req-0001',
      req: {
        method: 'GET',
        url: '/api/v1/me/calendar.ics?token=[redacted]',
        userAgent: 'spec/1',
        remoteAddress: '127.0.0.1',
      },
      res: { statusCode: 200 },
    });
    expect(typeof lines[1].responseTime).toBe('number');
    expect(JSON.stringify(lines)).not.toMatch(/secret-token|s3cret|hunter2/);
  });

  it('a 5xx is an error line with the request and no invented err; nothing below the level', async () => {
    const failed = await serve('warn', 503);
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({
      level: 50,
      msg: 'request errored',
      req: { method: 'GET', url: '/api/v1/me/calendar.ics?token=[redacted]' },
      res: { statusCode: 503 },
    });
    expect(failed[0].err).toBeUndefined();
    expect(await serve('warn', 200)).toEqual([]);
  });
});

describe('rootLogger', () => {
  it('redacts as pino does: primitives as they are, secrets censored at any depth', () => {
    const config = { app: { logLevel: 'info', name: 'alees', environment: 'test' } } as AppConfig;
    const lines: string[] = [];
    const out = new PassThrough().on('data', (chunk: Buffer) => lines.push(chunk.toString()));
    const log = rootLogger(config, out);
    log.child({ requestId: 'r-1', n: 3, ok: true, nothing: null }).info(
      {
        password: 'p1',
        token: 42,
        secret: false,
        nested: { password: 'p2', deeper: { apiKey: 'k3' } },
        req: { headers: { authorization: 'Bearer p4', accept: 'json' } },
        userId: 'u-1',
        text: 'say "hi"\n',
      },
      'done',
    );
    const line = JSON.parse(lines.join('')) as Record<string, unknown>;
    expect(line).toMatchObject({
      requestId: 'r-1',
      n: 3,
      ok: true,
      nothing: null,
      password: '[redacted]',
      token: '[redacted]',
      secret: '[redacted]',
      nested: { password: '[redacted]', deeper: { apiKey: '[redacted]' } },
      req: { headers: { authorization: '[redacted]', accept: 'json' } },
      userId: 'u-1',
      text: 'say "hi"\n',
      msg: 'done',
    });
  });
});
