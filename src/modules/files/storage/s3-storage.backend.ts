import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { Readable } from 'node:stream';
import type { AppConfig } from '../../../core/config';
import {
  contentDisposition,
  PresignedUpload,
  PresignedUploadOptions,
  SignedUrlOptions,
  StorageBackend,
} from './storage-backend';

/**
 * S3 or an S3-compatible store (MinIO; `AWS_S3_FORCE_PATH_STYLE` for those). The API talks to
 * `AWS_S3_ENDPOINT_URL`; presigned URLs go to clients, so they are signed for
 * `AWS_S3_PUBLIC_ENDPOINT_URL` when set (in compose the API reaches `http://minio:9000`, a browser
 * on the host `http://localhost:9000`; the signature covers the host, so it must be signed there).
 */
export class S3StorageBackend implements StorageBackend {
  readonly name = 's3' as const;
  private readonly client: S3Client;
  /** Signs the URLs handed to clients (the same client when there is no public endpoint). */
  private readonly presigner: S3Client;
  private readonly bucket: string;

  constructor(settings: AppConfig['files']['s3']) {
    if (!settings.bucket) throw new Error('FILE_STORAGE_BACKEND=s3 needs AWS_S3_BUCKET_NAME');
    this.bucket = settings.bucket;
    this.client = S3StorageBackend.clientFor(settings, settings.endpoint);
    this.presigner =
      settings.publicEndpoint && settings.publicEndpoint !== settings.endpoint
        ? S3StorageBackend.clientFor(settings, settings.publicEndpoint)
        : this.client;
  }

  private static clientFor(
    settings: AppConfig['files']['s3'],
    endpoint: string | undefined,
  ): S3Client {
    return new S3Client({
      region: settings.region ?? 'us-east-1',
      endpoint,
      forcePathStyle: settings.forcePathStyle,
      credentials:
        settings.accessKeyId && settings.secretAccessKey
          ? { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey }
          : undefined,
      // Checksums only where S3 requires them: S3-compatible stores do not all support CRC32.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  async put(key: string, body: Readable, contentType: string): Promise<void> {
    // Multipart upload from the stream: the file is never held in memory whole.
    await new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: key, Body: body, ContentType: contentType },
    }).done();
  }

  async stream(key: string, range?: { start: number; end: number }): Promise<Readable> {
    const result = await this.client.send(
      new GetObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Range: range ? `bytes=${range.start}-${range.end}` : undefined,
      }),
    );
    return result.Body as Readable;
  }

  async head(key: string): Promise<{ size: number } | null> {
    try {
      const result = await this.client.send(
        new HeadObjectCommand({ Bucket: this.bucket, Key: key }),
      );
      return { size: result.ContentLength ?? 0 };
    } catch (error) {
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata
        ?.httpStatusCode;
      if (status === 404) return null;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  signedUrl(key: string, options: SignedUrlOptions): Promise<string> {
    return getSignedUrl(
      this.presigner,
      new GetObjectCommand({
        Bucket: this.bucket,
        Key: key,
        ResponseContentDisposition: contentDisposition(options.filename),
        ResponseContentType: options.contentType,
      }),
      { expiresIn: options.expiresSeconds },
    );
  }

  async presignedUpload(key: string, options: PresignedUploadOptions): Promise<PresignedUpload> {
    const url = await getSignedUrl(
      this.presigner,
      new PutObjectCommand({ Bucket: this.bucket, Key: key, ContentType: options.contentType }),
      { expiresIn: options.expiresSeconds },
    );
    return { url, method: 'PUT', headers: { 'Content-Type': options.contentType } };
  }

  /** Releases sockets (tests, shutdown). */
  destroy(): void {
    this.client.destroy();
    if (this.presigner !== this.client) this.presigner.destroy();
  }
}
