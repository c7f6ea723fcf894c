import { Injectable } from '@nestjs/common';
import type { AuditContext } from '../../core/auth';
import { Clock } from '../../core/clock';
import { AppConfig } from '../../core/config';
import { iso } from '../../core/database';
import { NotFoundError } from '../../core/http';
import { TenantDatabase } from '../../core/tenancy';
import { AuditService } from '../audit';
import type { CreatedShareLinkDto, ShareLinkDto } from './dto/document.dto';
import { DocumentsErrors } from './documents.errors';
import { DocumentsRepository, ShareLinkRow } from './documents.repository';
import { DocumentCaller, DocumentContent, DocumentsService } from './documents.service';
import { hashShareToken, newShareToken, sameHash, shareTokenOrganization } from './share-token';

/** The longest a share link may live (days). */
export const MAX_SHARE_DAYS = 365;

const toDto = (row: ShareLinkRow): ShareLinkDto => ({
  id: row.id,
  documentId: row.document_id,
  expiresAt: iso(row.expires_at)!,
  revokedAt: iso(row.revoked_at),
  createdBy: row.created_by,
  accessCount: row.access_count,
  lastAccessedAt: iso(row.last_accessed_at),
  createdAt: iso(row.created_at)!,
});

/**
 * Public, expiring, revocable links to a document's current version (SPEC-P3 §5). The token is
 * returned once; only its SHA-256 is stored and looked up (a unique index, then a constant-time
 * comparison), and the token carries its organization so the public read runs in that tenant's
 * transaction under row-level security. An unknown, expired or revoked token, or one whose
 * document was deleted, all answer the same 404.
 */
@Injectable()
export class ShareLinksService {
  constructor(
    private readonly db: TenantDatabase,
    private readonly repository: DocumentsRepository,
    private readonly documents: DocumentsService,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  /** A new link to a readable document until `expiresAt` (future, ≤ 365 days, else 422). */
  create(
    orgId: string,
    documentId: string,
    expiresAt: string,
    context: AuditContext,
    caller: DocumentCaller,
  ): Promise<CreatedShareLinkDto> {
    const now = this.clock.now().getTime();
    const expires = new Date(expiresAt);
    if (!(expires.getTime() > now) || expires.getTime() > now + MAX_SHARE_DAYS * 24 * 3600 * 1000) {
      throw DocumentsErrors.invalid_expiry(MAX_SHARE_DAYS);
    }
    return this.db.run(orgId, async (manager) => {
      await this.documents.findVisible(manager, orgId, documentId, caller);
      const { token, hash } = newShareToken(orgId);
      const row = await this.repository.insertShareLink(manager, orgId, {
        documentId,
        tokenHash: hash,
        expiresAt: expires,
        createdBy: context.actorUserId,
      });
      await this.audit.record(manager, {
        organizationId: orgId,
        action: 'share',
        entityType: 'document',
        entityId: documentId,
        changes: { shareLinkId: row.id, expiresAt: iso(row.expires_at) },
        context,
        event: { type: 'document.shared', data: { shareLinkId: row.id } },
      });
      return {
        ...toDto(row),
        token,
        url: `${this.config.files.publicApiUrl}/${this.config.app.apiPrefix}/shared/${token}`,
      };
    });
  }

  /** The links of a readable document, newest first (tokens are never shown again). */
  list(orgId: string, documentId: string, caller: DocumentCaller): Promise<ShareLinkDto[]> {
    return this.db.read(orgId, async (manager) => {
      await this.documents.findVisible(manager, orgId, documentId, caller);
      return (await this.repository.shareLinks(manager, orgId, documentId)).map(toDto);
    });
  }

  /** Revokes a link of a readable document (404 for another document's link); idempotent. */
  revoke(
    orgId: string,
    documentId: string,
    linkId: string,
    context: AuditContext,
    caller: DocumentCaller,
  ): Promise<void> {
    return this.db.run(orgId, async (manager) => {
      await this.documents.findVisible(manager, orgId, documentId, caller);
      const link = await this.repository.findShareLink(manager, orgId, documentId, linkId);
      if (!link) throw new NotFoundError('Share link');
      if (link.revoked_at) return;
      await this.repository.revokeShareLink(manager, orgId, linkId);
      await this.audit.record(manager, {
        organizationId: orgId,
        action: 'unshare',
        entityType: 'document',
        entityId: documentId,
        changes: { shareLinkId: linkId },
        context,
        event: { type: 'document.share_revoked', data: { shareLinkId: linkId } },
      });
    });
  }

  /**
   * The current version of the document a token shares, counting the access and auditing it
   * (`shared_access`, no domain event); 404 for anything but a live link.
   */
  open(token: string, context: AuditContext): Promise<DocumentContent> {
    const orgId = shareTokenOrganization(token);
    if (!orgId) return Promise.reject(new NotFoundError('Shared document'));
    const hash = hashShareToken(token);
    return this.db.run(orgId, async (manager) => {
      const link = await this.repository.useShareLink(manager, orgId, hash, this.clock.now());
      if (!link || !sameHash(link.token_hash, hash)) throw new NotFoundError('Shared document');
      const row = await this.repository.findById(manager, orgId, link.document_id);
      if (!row) throw new NotFoundError('Shared document');
      const content = await this.documents.contentOf(manager, orgId, row);
      await this.audit.record(manager, {
        organizationId: orgId,
        action: 'shared_access',
        entityType: 'document',
        entityId: row.id,
        changes: { shareLinkId: link.id, number: row.current_version },
        context,
        event: { skip: true },
      });
      return content;
    });
  }
}
