import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { v7 as uuidv7 } from 'uuid';
import type {
  PresignedUpload,
  PresignedUploadOptions,
  SignedUrlOptions,
  StorageBackend,
} from './storage-backend';
import type { UrlSigner } from './url-signer';

/** Only keys of the shape `FilesService` generates: `<org uuid>/<yyyy>/<uuid>.<ext>`. */
const KEY = /^[0-9a-f-]{36}\/\d{4}\/[0-9a-f-]{36}\.[a-z0-9]{1,10}$/;

/**
 * Files under a root folder (`LOCAL_MEDIA_ROOT`). Signed URLs point at this API's own public
 * routes (`/files/signed?token=`, `/files/uploads?token=`), authorised by an HMAC token.
 */
export class LocalStorageBackend implements StorageBackend {
  readonly name = 'local' as const;
  private readonly root: string;

  constructor(
    root: string,
    private readonly signer: UrlSigner,
    private readonly apiBaseUrl: string,
    private readonly now: () => Date,
  ) {
    this.root = resolve(root);
  }

  /** The file's path; refuses any key that is not ours or would leave the root. */
  private pathOf(key: string): string {
    const path = resolve(join(this.root, key));
    if (!KEY.test(key) || !path.startsWith(this.root + sep))
      throw new Error(`Invalid storage key "${key}"`);
    return path;
  }

  async put(key: string, body: Readable): Promise<void> {
    const path = this.pathOf(key);
    await mkdir(dirname(path), { recursive: true });
    // Write beside, then rename: a reader never sees half a file.
    const partial = `${path}.${uuidv7()}.part`;
    try {
      await pipeline(body, createWriteStream(partial, { flags: 'wx' }));
      await rename(partial, path);
    } catch (error) {
      await rm(partial, { force: true });
      throw error;
    }
  }

  stream(key: string, range?: { start: number; end: number }): Promise<Readable> {
    return Promise.resolve(createReadStream(this.pathOf(key), range));
  }

  async head(key: string): Promise<{ size: number } | null> {
    try {
      return { size: (await stat(this.pathOf(key))).size };
    } catch {
      return null;
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  private expiry(seconds: number): number {
    return Math.floor(this.now().getTime() / 1000) + seconds;
  }

  signedUrl(key: string, options: SignedUrlOptions): Promise<string> {
    this.pathOf(key);
    const token = this.signer.sign({
      op: 'get',
      key,
      exp: this.expiry(options.expiresSeconds),
      filename: options.filename,
      type: options.contentType,
    });
    return Promise.resolve(`${this.apiBaseUrl}/files/signed?token=${token}`);
  }

  presignedUpload(key: string, options: PresignedUploadOptions): Promise<PresignedUpload> {
    this.pathOf(key);
    const token = this.signer.sign({
      op: 'put',
      key,
      exp: this.expiry(options.expiresSeconds),
      max: options.maxBytes,
    });
    return Promise.resolve({
      url: `${this.apiBaseUrl}/files/uploads?token=${token}`,
      method: 'PUT',
      headers: { 'Content-Type': 'application/octet-stream' },
    });
  }
}
