import { randomBytes, createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import type { Response } from 'supertest';
import { Actor, createTenant, addActor } from '../support/auth';
import { createTestApp, TestApp } from '../support/test-app';

interface FileBody {
  id: string;
  contentType: string;
  size: number;
  checksumSha256: string;
  status: string;
  originalName: string;
  version: number;
}

/** A real PNG header + random payload, so every upload is distinct. */
const png = (bytes = 2_000) =>
  Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    randomBytes(bytes),
  ]);
const exe = () => Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00'), randomBytes(3_000)]);
const pdf = () => Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(1_000)]);
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** supertest: the body as raw bytes. */
const binary = (res: Response, callback: (error: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => callback(null, Buffer.concat(chunks)));
};

const backends: [
  name: string,
  env: () => Promise<{ env: Record<string, string>; stop(): Promise<void> }>,
][] = [
  [
    'local',
    () => {
      const root = mkdtempSync(join(tmpdir(), 'alees-files-'));
      return Promise.resolve({
        env: {
          FILE_STORAGE_BACKEND: 'local',
          LOCAL_MEDIA_ROOT: root,
          PUBLIC_API_URL: 'http://api.example.test',
        },
        stop: () => Promise.resolve(rmSync(root, { recursive: true, force: true })),
      });
    },
  ],
  [
    's3',
    async () => {
      const directory = mkdtempSync(join(tmpdir(), 'alees-s3rver-'));
      const server = new S3rver({
        port: 0,
        address: '127.0.0.1',
        silent: true,
        directory,
        configureBuckets: [{ name: 'alees-test', configs: [] }],
      });
      const { port } = (await server.run()) as { port: number };
      return {
        env: {
          FILE_STORAGE_BACKEND: 's3',
          AWS_S3_BUCKET_NAME: 'alees-test',
          AWS_S3_ENDPOINT_URL: `http://127.0.0.1:${port}`,
          // Another name for the same server, as compose's http://minio:9000 vs localhost:9000:
          // presigned URLs must be signed for (and work at) this one.
          AWS_S3_PUBLIC_ENDPOINT_URL: `http://localhost:${port}`,
          AWS_S3_FORCE_PATH_STYLE: 'true',
          AWS_S3_REGION_NAME: 'us-east-1',
          AWS_ACCESS_KEY_ID: 'S3RVER',
          AWS_SECRET_ACCESS_KEY: 'S3RVER',
        },
        stop: async () => {
          await server.close();
          rmSync(directory, { recursive: true, force: true });
        },
      };
    },
  ],
];

describe.each(backends)('files on the %s backend', (backend, start) => {
  let t: TestApp;
  let owner: Actor;
  let viewer: Actor;
  let stranger: Actor;
  let stop: () => Promise<void>;

  beforeAll(async () => {
    const storage = await start();
    stop = storage.stop;
    t = await createTestApp({ env: { ...storage.env, FILE_MAX_UPLOAD_BYTES: String(64 * 1024) } });
    owner = await createTenant(t);
    viewer = await addActor(t, owner.organization, ['Viewer']);
    stranger = await createTenant(t);
  });
  afterAll(async () => {
    await t.close();
    await stop();
  });

  const upload = (actor: Actor, data: Buffer, filename: string, contentType: string) =>
    actor.post('/api/v1/files').attach('file', data, { filename, contentType });
  const fileCount = async () =>
    (await t.dataSource.query<{ n: number }[]>('SELECT count(*)::int AS n FROM stored_files'))[0].n;
  /** Follows a signed URL with no credentials: through the app (local) or to the S3 fake. */
  const fetchSigned = async (
    url: string,
  ): Promise<{ status: number; body: Buffer; type: string | null }> => {
    if (backend === 'local') {
      const path = url.replace('http://api.example.test', '');
      const res = await t.http.get(path).buffer(true).parse(binary);
      return {
        status: res.status,
        body: res.body as Buffer,
        type: res.headers['content-type'] ?? null,
      };
    }
    const res = await fetch(url);
    return {
      status: res.status,
      body: Buffer.from(await res.arrayBuffer()),
      type: res.headers.get('content-type'),
    };
  };
  const putSigned = async (
    upload: { url: string; headers: Record<string, string> },
    data: Buffer,
  ) => {
    if (backend === 'local') {
      const res = await t.http
        .put(upload.url.replace('http://api.example.test', ''))
        .set(upload.headers)
        .send(data);
      return res.status;
    }
    return (await fetch(upload.url, { method: 'PUT', headers: upload.headers, body: data })).status;
  };

  it('upload → download round trip with identical bytes, by route and by signed URL', async () => {
    const data = png();
    const res = await upload(owner, data, 'logo.png', 'image/png');
    expect(res.status).toBe(201);
    const file = res.body as FileBody;
    expect(res.headers.location).toBe(`/api/v1/files/${file.id}`);
    expect(file).toMatchObject({
      originalName: 'logo.png',
      contentType: 'image/png',
      size: data.length,
      checksumSha256: sha256(data),
      status: 'ready',
    });
    const [row] = await t.dataSource.query<{ storage_key: string; backend: string }[]>(
      'SELECT storage_key, backend FROM stored_files WHERE id = $1',
      [file.id],
    );
    expect(row.backend).toBe(backend);
    expect(row.storage_key).toMatch(
      new RegExp(`^${owner.organization.id}/\\d{4}/${file.id}\\.png$`),
    );

    const download = await viewer
      .get(`/api/v1/files/${file.id}/content`)
      .buffer(true)
      .parse(binary);
    expect(download.status).toBe(200);
    expect(download.headers['content-type']).toBe('image/png');
    expect(download.headers['content-disposition']).toContain('filename="logo.png"');
    expect(Buffer.compare(download.body as Buffer, data)).toBe(0);

    const signed = await viewer.post(`/api/v1/files/${file.id}/signed-url`).expect(200);
    if (backend === 's3')
      expect((signed.body as { url: string }).url).toMatch(/^http:\/\/localhost:\d+\/alees-test\//);
    const fetched = await fetchSigned((signed.body as { url: string }).url);
    expect(fetched.status).toBe(200);
    expect(Buffer.compare(fetched.body, data)).toBe(0);
  });

  it('refuses a renamed .exe claiming image/png (415), and writes nothing', async () => {
    const before = await fileCount();
    const res = await upload(owner, exe(), 'cat.png', 'image/png');
    expect(res.status).toBe(415);
    expect(res.body).toMatchObject({ errors: [{ code: 'unsupported_file_type' }] });
    const mismatch = await upload(owner, pdf(), 'doc.png', 'image/png');
    expect(mismatch.status).toBe(415);
    expect(await fileCount()).toBe(before);
  });

  it('refuses files over the size limit (413) and keeps names harmless', async () => {
    const big = await upload(owner, png(70 * 1024), 'big.png', 'image/png');
    expect(big.status).toBe(413);
    const sneaky = await upload(owner, pdf(), '../../etc/passwd.pdf', 'application/pdf').expect(
      201,
    );
    expect((sneaky.body as FileBody).originalName).toBe('passwd.pdf');
    expect((await owner.post('/api/v1/files').send({ file: 'x' })).status).toBe(422);
  });

  it('direct upload: presign, PUT the bytes, confirm; bad content is refused on confirm', async () => {
    const data = pdf();
    const created = await owner
      .post('/api/v1/files/presigned-uploads')
      .send({ filename: 'scan.pdf', contentType: 'application/pdf', size: data.length })
      .expect(201);
    const { file, upload: target } = created.body as {
      file: FileBody;
      upload: { url: string; headers: Record<string, string> };
    };
    expect(file.status).toBe('pending');
    if (backend === 's3') expect(target.url).toMatch(/^http:\/\/localhost:\d+\/alees-test\//);
    expect((await owner.get(`/api/v1/files/${file.id}/content`)).status).toBe(404);
    expect((await owner.post(`/api/v1/files/${file.id}/confirm`)).status).toBe(422); // nothing uploaded
    expect([200, 204]).toContain(await putSigned(target, data));
    const confirmed = await owner.post(`/api/v1/files/${file.id}/confirm`).expect(200);
    expect(confirmed.body).toMatchObject({
      status: 'ready',
      size: data.length,
      checksumSha256: sha256(data),
    });
    const download = await owner.get(`/api/v1/files/${file.id}/content`).buffer(true).parse(binary);
    expect(Buffer.compare(download.body as Buffer, data)).toBe(0);

    const liar = (
      await owner
        .post('/api/v1/files/presigned-uploads')
        .send({ filename: 'x.pdf', contentType: 'application/pdf', size: 3_008 })
        .expect(201)
    ).body as { file: FileBody; upload: { url: string; headers: Record<string, string> } };
    await putSigned(liar.upload, exe());
    const refused = await owner.post(`/api/v1/files/${liar.file.id}/confirm`);
    expect(refused.status).toBe(415);
    const exeType = await owner
      .post('/api/v1/files/presigned-uploads')
      .send({ filename: 'a.exe', contentType: 'application/x-msdownload', size: 10 });
    expect(exeType.status).toBe(415);
  });

  it('another organization gets 404 on the file, its bytes and its signed URL; attachments check tenancy', async () => {
    const file = (await upload(owner, png(), 'private.png', 'image/png').expect(201))
      .body as FileBody;
    for (const res of [
      await stranger.get(`/api/v1/files/${file.id}`),
      await stranger.get(`/api/v1/files/${file.id}/content`),
      await stranger.post(`/api/v1/files/${file.id}/signed-url`),
      await stranger.delete(`/api/v1/files/${file.id}`),
    ]) {
      expect(res.status).toBe(404);
    }
    const list = await stranger.get('/api/v1/files').expect(200);
    expect((list.body as { items: FileBody[] }).items.map((f) => f.id)).not.toContain(file.id);
    expect((await viewer.post('/api/v1/files').attach('file', png(), 'v.png')).status).toBe(403);

    const product = (
      await owner
        .post('/api/v1/products')
        .send({ sku: `F-${file.id.slice(-6)}`, name: 'P', type: 'goods' })
        .expect(201)
    ).body as { id: string };
    const attached = await owner
      .post('/api/v1/attachments')
      .send({ fileId: file.id, entityType: 'product', entityId: product.id })
      .expect(201);
    const listed = await viewer
      .get(`/api/v1/attachments?entityType=product&entityId=${product.id}`)
      .expect(200);
    expect(listed.body).toEqual([attached.body]);
    // Another tenant cannot even list what hangs off the owner's product.
    expect(
      (await stranger.get(`/api/v1/attachments?entityType=product&entityId=${product.id}`)).status,
    ).toBe(404);
    const theirs = await stranger
      .post('/api/v1/attachments')
      .send({ fileId: file.id, entityType: 'product', entityId: product.id });
    expect(theirs.body).toMatchObject({ errors: [{ code: 'invalid_file' }] });
    expect(
      (await stranger.delete(`/api/v1/attachments/${(attached.body as { id: string }).id}`)).status,
    ).toBe(404);

    await owner.delete(`/api/v1/files/${file.id}`).expect(204);
    expect(
      (await owner.get(`/api/v1/attachments?entityType=product&entityId=${product.id}`).expect(200))
        .body,
    ).toEqual([]);
    if (backend === 'local') {
      const root = t.config.files.localRoot;
      const year = String(new Date().getUTCFullYear());
      const names = readdirSync(join(root, owner.organization.id, year));
      expect(names.some((n) => n.startsWith(file.id))).toBe(false);
    }
  });

  it('attaches to every owner type; another tenant’s or a deleted entity answers as an unknown id', async () => {
    const tag = randomBytes(4).toString('hex');
    const created = async (path: string, body: object) =>
      ((await owner.post(path).send(body).expect(201)).body as { id: string }).id;
    const warehouse = await created('/api/v1/warehouses', { code: `W${tag}`, name: 'Main' });
    const targets = {
      product: await created('/api/v1/products', { sku: `A-${tag}`, name: 'P', type: 'goods' }),
      contact: await created('/api/v1/contacts', { kind: 'company', displayName: 'Acme' }),
      warehouse,
      'stock-location': await created('/api/v1/stock-locations', {
        warehouseId: warehouse,
        code: `L${tag}`,
        name: 'Bin',
      }),
      category: await created('/api/v1/categories', { type: 'product', name: `C ${tag}` }),
    };
    const mine = (await upload(owner, png(), 'mine.png', 'image/png').expect(201)).body as FileBody;
    for (const [entityType, entityId] of Object.entries(targets)) {
      await owner
        .post('/api/v1/attachments')
        .send({ fileId: mine.id, entityType, entityId })
        .expect(201);
    }

    // The stranger's own ready file, aimed at the owner's entities: the same 422 as a made-up id.
    const theirs = (await upload(stranger, png(), 'theirs.png', 'image/png').expect(201))
      .body as FileBody;
    const attach = async (entityType: string, entityId: string) => {
      const res = await stranger
        .post('/api/v1/attachments')
        .send({ fileId: theirs.id, entityType, entityId })
        .expect(422);
      return (res.body as { errors: unknown[] }).errors;
    };
    for (const [entityType, entityId] of Object.entries(targets)) {
      const unknown = await attach(entityType, '0190a000-0000-7000-8000-000000000000');
      expect(unknown).toEqual([
        expect.objectContaining({ code: 'invalid_entity', source: { pointer: '/entityId' } }),
      ]);
      expect(await attach(entityType, entityId)).toEqual(unknown);
    }

    // Deleting a target detaches its files in the same transaction (the files stay).
    const version = async (path: string) =>
      ((await owner.get(path).expect(200)).body as { version: number }).version;
    for (const [entityType, path] of [
      ['contact', `/api/v1/contacts/${targets.contact}`],
      ['stock-location', `/api/v1/stock-locations/${targets['stock-location']}`],
      ['warehouse', `/api/v1/warehouses/${targets.warehouse}`],
      ['category', `/api/v1/categories/${targets.category}`],
      ['product', `/api/v1/products/${targets.product}`],
    ] as const) {
      await owner
        .delete(path)
        .set('If-Match', `"${await version(path)}"`)
        .expect(204);
      const [{ n }] = await t.dataSource.query<{ n: string }[]>(
        'SELECT count(*) AS n FROM attachments WHERE entity_type = $1 AND entity_id = $2',
        [entityType, targets[entityType]],
      );
      expect(Number(n)).toBe(0);
      await owner
        .get(`/api/v1/attachments?entityType=${entityType}&entityId=${targets[entityType]}`)
        .expect(404);
    }
    await owner.get(`/api/v1/files/${mine.id}`).expect(200);

    // A soft-deleted product is gone for attachments too.
    const gone = await owner
      .post('/api/v1/attachments')
      .send({ fileId: mine.id, entityType: 'product', entityId: targets.product })
      .expect(422);
    expect(gone.body).toMatchObject({ errors: [{ code: 'invalid_entity' }] });
  });

  // The S3 fake does not check signatures; real S3 does. The local backend's own signer is ours.
  const localOnly = backend === 'local' ? it : it.skip;
  localOnly('refuses a forged or tampered signed URL', async () => {
    const file = (await upload(owner, png(), 'a.png', 'image/png').expect(201)).body as FileBody;
    const { url } = (await owner.post(`/api/v1/files/${file.id}/signed-url`).expect(200)).body as {
      url: string;
    };
    const tampered = url.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    expect((await fetchSigned(tampered)).status).toBe(404);
    expect((await t.http.get('/api/v1/files/signed?token=not-a-token-at-all')).status).toBe(404);
    const put = await t.http
      .put('/api/v1/files/uploads?token=forged.token.value')
      .set('Content-Type', 'application/octet-stream')
      .send(png());
    expect(put.status).toBe(404);
    const json = await t.http
      .put('/api/v1/files/uploads?token=x')
      .set('Content-Type', 'text/plain')
      .send('x');
    expect(json.status).toBe(415);
  });
});
