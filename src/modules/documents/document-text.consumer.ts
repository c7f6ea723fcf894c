import { Injectable, Logger, Module, OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { TenantDatabase } from '../../core/tenancy';
import { DomainEvent, DomainEventConsumer, DomainEventConsumers } from '../domain-events';
import { FilesService, FileStorageModule } from '../files';
import { DocumentTargetsModule } from './document-targets';
import { extractable, extractText, MAX_EXTRACT_BYTES } from './document-text';
import { DocumentsRepository } from './documents.repository';

/** The events after which a document's current version may have new text. */
const TEXT_EVENTS = new Set(['document.created', 'document.version_added']);

/**
 * Keeps `documents.content_text` (searched by `?q=`) the text of the current version (issue 20):
 * consumer `document-text` of the outbox, in the worker. After the relay's commit it reads each
 * named document's current version, extracts its text (`extractText`: DOCX, TXT, CSV; at most
 * 10 MB of file) and stores it only if that version is still current, so a later version's text
 * is never overwritten by an earlier one's. Derived data: no version bump, no audit row. A file
 * that cannot be read or parsed leaves the text empty and is logged; it is not retried.
 */
@Injectable()
export class DocumentTextConsumer implements DomainEventConsumer, OnModuleInit {
  readonly name = 'document-text';
  private readonly logger = new Logger(DocumentTextConsumer.name);

  constructor(
    private readonly consumers: DomainEventConsumers,
    private readonly db: TenantDatabase,
    private readonly repository: DocumentsRepository,
    private readonly files: FilesService,
  ) {}

  onModuleInit(): void {
    this.consumers.register(this);
  }

  handle(
    _manager: EntityManager,
    events: readonly DomainEvent[],
  ): Promise<(() => Promise<void>) | void> {
    const targets = new Map<string, { orgId: string; documentId: string }>();
    for (const event of events) {
      if (!TEXT_EVENTS.has(event.type) || !event.organizationId || !event.entityId) continue;
      targets.set(`${event.organizationId}:${event.entityId}`, {
        orgId: event.organizationId,
        documentId: event.entityId,
      });
    }
    if (targets.size === 0) return Promise.resolve();
    return Promise.resolve(async () => {
      for (const { orgId, documentId } of targets.values()) {
        await this.index(orgId, documentId).catch((error: Error) =>
          this.logger.warn(
            { orgId, documentId, error: error.message },
            'could not extract the text of a document version',
          ),
        );
      }
    });
  }

  /** Extracts and stores the text of the document's current version (see the class). */
  async index(orgId: string, documentId: string): Promise<void> {
    const current = await this.db.read(orgId, async (manager) => {
      const row = await this.repository.findById(manager, orgId, documentId);
      if (!row) return null;
      const file = await this.files.find(manager, orgId, row.file_id);
      return { number: row.current_version, file };
    });
    if (!current) return;
    const { file } = current;
    let text = '';
    if (extractable(file.content_type) && (file.size ?? 0) <= MAX_EXTRACT_BYTES) {
      const chunks: Buffer[] = [];
      for await (const chunk of await this.files.storage.stream(file.storage_key))
        chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
      text = (await extractText(file.content_type, Buffer.concat(chunks))) ?? '';
    }
    await this.db.run(orgId, (manager) =>
      this.repository.setContentText(manager, orgId, documentId, current.number, text),
    );
  }
}

/** The documents' worker side: the target registrations and the text extraction consumer. */
@Module({
  imports: [DocumentTargetsModule, FileStorageModule],
  providers: [DocumentsRepository, DocumentTextConsumer],
})
export class DocumentsWorkerModule {}
