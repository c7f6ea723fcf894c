import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../config';
import { AllowList, refusedRange } from './address-policy';
import { EgressRefusedError } from './egress-errors';
import { HttpEgress, MAX_RESPONSE_BYTES } from './http-egress';

const egress = (env: Record<string, string> = {}) =>
  new HttpEgress(
    loadConfig({ DATABASE_URL: 'postgres://u@127.0.0.1/db', ENVIRONMENT: 'test', ...env }),
  );

const refusal = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (error) {
    if (error instanceof EgressRefusedError) return { reason: error.reason, range: error.range };
    throw error;
  }
  throw new Error('not refused');
};

describe('refusedRange', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.5.4', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'linkLocal'], // cloud metadata
    ['100.64.0.1', 'carrierGradeNat'],
    ['100.100.100.200', 'carrierGradeNat'], // Alibaba metadata
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'linkLocal'],
    ['fd00:ec2::254', 'uniqueLocal'], // AWS IPv6 metadata
    ['ff02::1', 'multicast'],
    ['::ffff:127.0.0.1', 'loopback'], // IPv4-mapped
    ['::ffff:a00:1', 'private'], // IPv4-mapped 10.0.0.1, hex form
    ['::ffff:169.254.169.254', 'linkLocal'],
    ['2002:7f00:1::', '6to4'],
    ['64:ff9b::7f00:1', 'rfc6052'], // NAT64 of 127.0.0.1
    ['::7f00:1', 'ipv4Compatible'], // IPv4-compatible 127.0.0.1 (WHATWG writes [::127.0.0.1] so)
    ['::a9fe:a9fe', 'ipv4Compatible'], // IPv4-compatible 169.254.169.254
    ['::a00:1', 'ipv4Compatible'],
    ['not-an-ip', 'invalid'],
  ])('%s is refused as %s', (address, range) => {
    expect(refusedRange(address)).toBe(range);
  });

  it.each(['8.8.8.8', '93.184.216.34', '2001:4860:4860::8888', '::ffff:8.8.8.8'])(
    '%s is public',
    (address) => expect(refusedRange(address)).toBeNull(),
  );
});

describe('AllowList', () => {
  const list = new AllowList(['127.0.0.1', '10.0.0.0/8', 'Hooks.Internal', 'fd00::/8']);
  it('matches addresses, CIDRs (mapped IPv4 too) and host names case-insensitively', () => {
    expect(list.hasAddress('127.0.0.1')).toBe(true);
    expect(list.hasAddress('127.0.0.2')).toBe(false);
    expect(list.hasAddress('10.20.30.40')).toBe(true);
    expect(list.hasAddress('::ffff:10.1.1.1')).toBe(true);
    expect(list.hasAddress('fd12::1')).toBe(true);
    expect(list.hasAddress('11.0.0.1')).toBe(false);
    expect(list.hasHost('hooks.internal')).toBe(true);
    expect(list.hasHost('HOOKS.INTERNAL.')).toBe(true);
    expect(list.hasHost('evil.hooks.internal')).toBe(false);
  });
});

describe('HttpEgress.check', () => {
  it.each([
    'http://127.0.0.1/',
    'http://2130706433/', // decimal 127.0.0.1
    'http://0x7f.1/', // hex + short form
    'http://017700000001/', // octal
    'http://127.1/',
    'http://[::1]:8080/',
    'http://[::ffff:127.0.0.1]/',
    'http://[::ffff:7f00:1]/',
    'http://169.254.169.254/latest/meta-data/',
    'http://[fd00:ec2::254]/',
    'http://100.64.1.1/',
    'http://0.0.0.0/',
    'http://localhost:9/',
  ])('refuses %s (address)', async (url) => {
    expect(await refusal(egress().check(url))).toMatchObject({ reason: 'address' });
  });

  it('refuses other schemes, http in production, credentials and unresolvable hosts', async () => {
    expect(await refusal(egress().check('ftp://8.8.8.8/'))).toMatchObject({ reason: 'scheme' });
    expect(await refusal(egress().check('file:///etc/passwd'))).toMatchObject({
      reason: 'scheme',
    });
    expect(await refusal(egress().check('not a url'))).toMatchObject({ reason: 'scheme' });
    const production = egress({
      ENVIRONMENT: 'production',
      JWT_SECRET_KEY: 'q8J2v0Zr7yLk3Xw9Tn5Bc1Hs6Gd4Fp0Ma2Qe8Ru',
      REDIS_URL: 'redis://127.0.0.1:6379',
    });
    expect(await refusal(production.check('http://8.8.8.8/'))).toMatchObject({ reason: 'scheme' });
    await expect(production.check('https://8.8.8.8/')).resolves.toMatchObject({
      address: '8.8.8.8',
    });
    expect(await refusal(egress().check('http://user:pw@8.8.8.8/'))).toMatchObject({
      reason: 'credentials',
    });
    expect(await refusal(egress().check('http://no-such-host.invalid/'))).toMatchObject({
      reason: 'resolution',
    });
  });

  it('lets allow-listed addresses and host names through, and only those', async () => {
    const allowed = egress({ WEBHOOK_ALLOWED_PRIVATE_HOSTS: '127.0.0.1' });
    await expect(allowed.check('http://127.0.0.1:8080/x')).resolves.toMatchObject({
      address: '127.0.0.1',
      family: 4,
    });
    await expect(allowed.check('http://2130706433/')).resolves.toMatchObject({
      address: '127.0.0.1',
    });
    expect(await refusal(allowed.check('http://10.0.0.1/'))).toMatchObject({ reason: 'address' });
    const byName = egress({ WEBHOOK_ALLOWED_PRIVATE_HOSTS: 'localhost' });
    await expect(byName.check('http://localhost:1/')).resolves.toMatchObject({ host: 'localhost' });
  });
});

describe('HttpEgress.send', () => {
  let server: Server;
  let port: number;
  let hits = 0;
  beforeAll(async () => {
    server = createServer((req, res) => {
      hits += 1;
      if (req.url === '/redirect') {
        res.writeHead(302, { location: 'http://169.254.169.254/' }).end();
      } else if (req.url === '/big') {
        res.writeHead(200).end('x'.repeat(MAX_RESPONSE_BYTES * 4));
      } else if (req.url === '/slow') {
        setTimeout(() => res.writeHead(200).end('late'), 2_000).unref();
      } else {
        let body = '';
        req.on('data', (c: Buffer) => (body += c.toString()));
        req.on('end', () =>
          res.writeHead(201).end(`echo:${String(req.headers['x-test'])}:${body}`),
        );
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const allowed = () => egress({ WEBHOOK_ALLOWED_PRIVATE_HOSTS: '127.0.0.1' });

  it('posts the body and headers to the checked address and reads the answer', async () => {
    const res = await allowed().send({
      url: `http://127.0.0.1:${port}/hook`,
      headers: { 'x-test': 'yes', 'content-type': 'text/plain' },
      body: 'hello',
    });
    expect(res).toMatchObject({ status: 201, body: 'echo:yes:hello', truncated: false });
    expect(res.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('does not follow redirects, truncates big bodies, times out', async () => {
    const redirect = await allowed().send({
      url: `http://127.0.0.1:${port}/redirect`,
      headers: {},
      body: '',
    });
    expect(redirect.status).toBe(302);
    const big = await allowed().send({
      url: `http://127.0.0.1:${port}/big`,
      headers: {},
      body: '',
    });
    expect(big.truncated).toBe(true);
    expect(big.body.length).toBe(MAX_RESPONSE_BYTES);
    const quick = egress({ WEBHOOK_ALLOWED_PRIVATE_HOSTS: '127.0.0.1', WEBHOOK_TIMEOUT_MS: '200' });
    await expect(
      quick.send({ url: `http://127.0.0.1:${port}/slow`, headers: {}, body: '' }),
    ).rejects.toThrow('timeout after 200 ms');
  });

  it('sends nothing to a refused address', async () => {
    const before = hits;
    expect(
      await refusal(egress().send({ url: `http://127.0.0.1:${port}/hook`, headers: {}, body: '' })),
    ).toMatchObject({ reason: 'address', range: 'loopback' });
    expect(hits).toBe(before);
  });
});
