import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Readable } from 'node:stream';
import { EntityManager, QueryFailedError } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import type { AuditContext } from '../../core/auth';
import { Clock } from '../../core/clock';
import { AppConfig } from '../../core/config';
import { iso } from '../../core/database';
import {
  AppError,
  assertVersionMatches,
  defineList,
  ExpectedVersion,
  ListDefinition,
  ListQuery,
  NotFoundError,
  Page,
  toPage,
} from '../../core/http';
import { TenantDatabase } from '../../core/tenancy';
import { AuditService } from '../audit';
import { ByteMeter, peek } from './byte-streams';
import type { FileDto, PresignedUploadDto, SignedUrlDto } from './dto/file.dto';
import { acceptedType, sniff, SNIFF_BYTES } from './file-signature';
import { STORAGE_BACKEND, StorageBackend } from './storage/storage-backend';
import { FilesErrors } from './files.errors';
import {
  AttachmentHistoryRow,
  FileFilter,
  FileRow,
  FilesRepository,
  FileSort,
  NewStoredFile,
} from './files.repository';

type Sort = FileSort;
type Filter = FileFilter;
export const FILE_LIST: ListDefinition<Sort, Filter> = defineList({
  resource: 'files',
  sortable: ['createdAt', 'originalName', 'size'],
  defaultSort: '-createdAt',
  filters: { status: { enum: ['pending', 'ready'] }, contentType: 'string', q: 'string' },
  fields: {
    id: { type: 'uuid', column: 'stored_files.id' },
    originalName: { type: 'text', column: 'stored_files.original_name' },
    contentType: { type: 'text', column: 'stored_files.content_type' },
    size: { type: 'int', column: 'stored_files.size' },
    status: { type: { enum: ['pending', 'ready'] }, column: 'stored_files.status' },
    uploadedBy: { type: 'uuid', column: 'stored_files.uploaded_by' },
    createdAt: { type: 'datetime', column: 'stored_files.created_at' },
  },
});

/** Extensions for the declared types a direct upload may announce (checked again on confirm). */
const EXTENSIONS: Record<string, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/gif': 'gif',
  'image/webp': 'webp',
  'application/pdf': 'pdf',
  'application/zip': 'zip',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
  'text/plain': 'txt',
  'text/csv': 'csv',
};

export const toFileDto = (row: FileRow): FileDto => ({
  id: row.id,
  originalName: row.original_name,
  contentType: row.content_type,
  size: row.size,
  checksumSha256: row.checksum_sha256,
  status: row.status,
  uploadedBy: row.uploaded_by,
  createdAt: iso(row.created_at)!,
  updatedAt: iso(row.updated_at)!,
  version: row.version,
});

/** Whether `error` is PostgreSQL's foreign_key_violation (23503). */
const isForeignKeyViolation = (error: unknown): boolean =>
  error instanceof QueryFailedError &&
  (error.driverError as { code?: string } | undefined)?.code === '23503';

export const unsupportedType = () => FilesErrors.unsupported_file_type();
const tooLarge = (max: number) => FilesErrors.payload_too_large(max);

/** Keeps only a safe base name: no folders, no control characters, at most 255 characters. */
export const safeName = (name: string): string =>
  (name.split(/[\\/]/).pop() ?? '')
    // eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
    .replace(/[\x00-\x1f\x7f]/g, '')
    .trim()
    .slice(0, 255) || 'file';

/**
 * Stored files of an organization. Bytes go to the storage backend under a key this service
 * generates (`<org>/<yyyy>/<uuid>.<ext>`), never a client's name; the content type is what the
 * bytes are (magic numbers), and must agree with what the client declared.
 */
@Injectable()
export class FilesService {
  private readonly logger = new Logger(FilesService.name);

  constructor(
    private readonly db: TenantDatabase,
    private readonly repository: FilesRepository,
    @Inject(STORAGE_BACKEND) readonly storage: StorageBackend,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  private keyFor(orgId: string, id: string, extension: string): string {
    return `${orgId}/${this.clock.now().getUTCFullYear()}/${id}.${extension}`;
  }

  list(orgId: string, query: ListQuery<Sort, Filter>): Promise<Page<FileDto>> {
    return this.db.read(orgId, async (manager) => {
      const { rows, total } = await this.repository.list(manager, orgId, query);
      return toPage(rows.map(toFileDto), total, query);
    });
  }

  /** The file in the caller's transaction; 404 when missing. `forUpdate` locks it. */
  async find(
    manager: EntityManager,
    orgId: string,
    id: string,
    forUpdate = false,
  ): Promise<FileRow> {
    const row = await this.repository.findById(manager, orgId, id, forUpdate);
    if (!row) throw new NotFoundError('File');
    return row;
  }

  get(orgId: string, id: string): Promise<FileDto> {
    return this.db.read(orgId, async (m) => toFileDto(await this.find(m, orgId, id)));
  }

  /**
   * One target's attachments for its timeline, in the caller's tenant transaction; see
   * `FilesRepository.attachmentHistory`.
   */
  attachmentHistory(
    manager: EntityManager,
    orgId: string,
    entityType: string,
    entityId: string,
    before: { at: string; id: string } | null,
    limit: number,
  ): Promise<AttachmentHistoryRow[]> {
    return this.repository.attachmentHistory(manager, orgId, entityType, entityId, before, limit);
  }

  /** A ready file, for download. */
  async ready(orgId: string, id: string): Promise<FileRow> {
    const row = await this.db.read(orgId, (m) => this.find(m, orgId, id));
    if (row.status !== 'ready') throw new NotFoundError('File');
    return row;
  }

  /** Streams an upload to storage: checked type, size limit, checksum; then the metadata row. */
  async upload(
    orgId: string,
    source: {
      stream: Readable;
      filename: string;
      declaredType: string;
      /** Whether the multipart parser cut the file at its size limit. */
      truncated?: () => boolean;
    },
    context: AuditContext,
  ): Promise<FileDto> {
    const { head, stream } = await peek(source.stream, SNIFF_BYTES);
    const type = acceptedType(source.declaredType, sniff(head));
    if (!type) {
      source.stream.resume(); // drain the rest of the request
      throw unsupportedType();
    }
    const id = uuidv7();
    const key = this.keyFor(orgId, id, type.extension);
    const max = this.config.files.maxUploadBytes;
    const meter = new ByteMeter(max, () => tooLarge(max));
    await this.storage
      .put(key, stream.pipe(meter), type.contentType)
      .catch(async (error: unknown) => {
        source.stream.resume();
        await this.storage.delete(key).catch(() => undefined);
        throw meter.size > max ? tooLarge(max) : error;
      });
    if (source.truncated?.()) {
      await this.storage.delete(key);
      throw tooLarge(max);
    }
    try {
      return await this.db.run(orgId, async (manager) => {
        await this.repository.insert(
          manager,
          orgId,
          this.newFile(id, key, source.filename, type.contentType, meter, context),
        );
        const row = await this.find(manager, orgId, id);
        await this.audit.record(manager, {
          organizationId: orgId,
          action: 'create',
          entityType: 'file',
          entityId: id,
          changes: { name: row.original_name, contentType: row.content_type, size: row.size },
          context,
        });
        return toFileDto(row);
      });
    } catch (error) {
      await this.storage.delete(key).catch(() => undefined);
      throw error;
    }
  }

  /**
   * Stores a file this system produced (export, error report): trusted type, no sniffing, no size
   * cap. Downloadable like any upload (`GET /files/{id}/content`), by the organization only.
   */
  async storeGenerated(
    orgId: string,
    file: { stream: Readable; filename: string; contentType: string; extension: string },
    context: AuditContext,
  ): Promise<FileDto> {
    const id = uuidv7();
    const key = this.keyFor(orgId, id, file.extension);
    const meter = new ByteMeter(Number.MAX_SAFE_INTEGER, () => new Error('unreachable'));
    await this.storage.put(key, file.stream.pipe(meter), file.contentType);
    return this.db.run(orgId, async (manager) => {
      await this.repository.insert(
        manager,
        orgId,
        this.newFile(id, key, file.filename, file.contentType, meter, context),
      );
      return toFileDto(await this.find(manager, orgId, id));
    });
  }

  async signedUrl(orgId: string, id: string): Promise<SignedUrlDto> {
    const row = await this.ready(orgId, id);
    const seconds = this.config.files.s3.presignedUrlExpirySeconds;
    const url = await this.storage.signedUrl(row.storage_key, {
      expiresSeconds: seconds,
      filename: row.original_name,
      contentType: row.content_type,
    });
    return { url, expiresAt: new Date(this.clock.now().getTime() + seconds * 1000).toISOString() };
  }

  /** Step 1 of a direct upload: a pending row and a URL to PUT the bytes to. */
  presignedUpload(
    orgId: string,
    dto: { filename: string; contentType: string; size: number },
    context: AuditContext,
  ): Promise<PresignedUploadDto> {
    const extension = EXTENSIONS[dto.contentType];
    if (!extension) throw unsupportedType();
    const max = this.config.files.maxUploadBytes;
    if (dto.size > max) throw tooLarge(max);
    return this.db.run(orgId, async (manager) => {
      const id = uuidv7();
      const key = this.keyFor(orgId, id, extension);
      await this.repository.insert(manager, orgId, {
        ...this.newFile(id, key, dto.filename, dto.contentType, null, context),
        status: 'pending',
      });
      const seconds = this.config.files.s3.presignedUrlExpirySeconds;
      const upload = await this.storage.presignedUpload(key, {
        expiresSeconds: seconds,
        contentType: dto.contentType,
        maxBytes: max,
      });
      return {
        file: toFileDto(await this.find(manager, orgId, id)),
        upload,
        expiresAt: new Date(this.clock.now().getTime() + seconds * 1000).toISOString(),
      };
    });
  }

  /**
   * Step 2: the bytes are in storage; check them like an API upload (size, content type from
   * the bytes, checksum) and mark the file ready. Bad content is deleted (415).
   */
  confirm(orgId: string, id: string, context: AuditContext): Promise<FileDto> {
    return this.db.run(orgId, async (manager) => {
      const row = await this.find(manager, orgId, id, true);
      if (row.status === 'ready') return toFileDto(row);
      const stored = await this.storage.head(row.storage_key);
      if (!stored) {
        throw FilesErrors.upload_missing();
      }
      const max = this.config.files.maxUploadBytes;
      const reject = async (error: AppError) => {
        await this.storage.delete(row.storage_key);
        throw error;
      };
      if (stored.size > max) return reject(tooLarge(max));
      const head = await this.readAll(
        await this.storage.stream(row.storage_key, {
          start: 0,
          end: Math.min(SNIFF_BYTES, stored.size) - 1,
        }),
      );
      const type = acceptedType(row.content_type, sniff(head));
      if (!type) return reject(unsupportedType());
      const meter = new ByteMeter(max, () => tooLarge(max));
      await this.drain((await this.storage.stream(row.storage_key)).pipe(meter));
      await this.repository.markReady(manager, orgId, id, {
        size: meter.size,
        sha256: meter.sha256,
        contentType: type.contentType,
      });
      const ready = await this.find(manager, orgId, id);
      await this.audit.record(manager, {
        organizationId: orgId,
        action: 'create',
        entityType: 'file',
        entityId: id,
        changes: {
          name: ready.original_name,
          contentType: ready.content_type,
          size: ready.size,
          direct: true,
        },
        context,
      });
      return toFileDto(ready);
    });
  }

  /** The local backend's signed PUT: only into a pending file's key, at most the size limit. */
  async receiveDirectUpload(key: string, body: Readable, maxBytes: number): Promise<void> {
    const orgId = key.split('/')[0];
    const contentType = await this.db.run(orgId, (manager) =>
      this.repository.pendingContentType(manager, orgId, key),
    );
    if (contentType === undefined) throw new NotFoundError('Upload');
    const meter = new ByteMeter(maxBytes, () => tooLarge(maxBytes));
    await this.storage.put(key, body.pipe(meter), contentType).catch(async (error: unknown) => {
      body.resume();
      await this.storage.delete(key).catch(() => undefined);
      throw meter.size > maxBytes ? tooLarge(maxBytes) : error;
    });
  }

  delete(
    orgId: string,
    id: string,
    expectedVersion: ExpectedVersion,
    context: AuditContext,
  ): Promise<void> {
    return this.db.run(orgId, async (manager) => {
      const row = await this.find(manager, orgId, id);
      assertVersionMatches(expectedVersion, row.version);
      // Rows that keep a file by a RESTRICT key (document versions, modules/documents) make the
      // DELETE fail with 23503: the file is in use. Guarded here, on the one path that deletes a
      // file row (the tenant purge deletes those rows first).
      await this.repository.delete(manager, orgId, id).catch((error: unknown) => {
        if (isForeignKeyViolation(error)) throw FilesErrors.file_in_use();
        throw error;
      });
      await this.audit.record(manager, {
        organizationId: orgId,
        action: 'delete',
        entityType: 'file',
        entityId: id,
        changes: { name: row.original_name, contentType: row.content_type, size: row.size },
        context,
      });
      // Bytes go after the row: a failure here leaves an orphan object, never a dangling row.
      await this.storage
        .delete(row.storage_key)
        .catch((error: Error) =>
          this.logger.warn(
            { key: row.storage_key, error: error.message },
            'could not delete file bytes',
          ),
        );
    });
  }

  /** The row of a file stored by this service: a ready one unless the caller says pending. */
  private newFile(
    id: string,
    key: string,
    filename: string,
    contentType: string,
    meter: ByteMeter | null,
    context: AuditContext,
  ): NewStoredFile {
    return {
      id,
      storageKey: key,
      backend: this.storage.name,
      originalName: safeName(filename),
      contentType,
      size: meter?.size ?? null,
      checksumSha256: meter?.sha256 ?? null,
      status: 'ready',
      uploadedBy: context.actorUserId,
      uploadedByApiKey: context.actorApiKeyId,
    };
  }

  /** Consumes a stream without keeping it (the meter on it counts and hashes). */
  private async drain(stream: Readable): Promise<void> {
    for await (const chunk of stream) void chunk;
  }

  private async readAll(stream: Readable): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of stream)
      chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
    return Buffer.concat(chunks);
  }
}
