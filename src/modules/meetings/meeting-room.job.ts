import { Injectable, Module, OnModuleInit } from '@nestjs/common';
import { TenantDatabase } from '../../core/tenancy';
import { AuditModule, AuditService } from '../audit';
import { defineJob, JobContext, JobHandler, JobRegistry } from '../jobs';
import { NotificationsService, NotificationsServiceModule } from '../notifications';
import type { VideoProviderName } from './meeting.entity';
import { MeetingsRepository } from './meetings.repository';
import { JitsiVideoProvider, NoneVideoProvider, VideoProviders } from './video-provider';

/** What the room job does: set up the room (new meeting), refresh it (reschedule), remove it. */
export interface MeetingRoomPayload {
  meetingId: string;
  action: 'create' | 'update' | 'delete';
  /** The provider and room to remove (`delete`: the meeting may be gone by then). */
  provider?: VideoProviderName;
  roomId?: string | null;
}

/**
 * The provider calls of a meeting's room, in the worker (SPEC-P3 §10): 4 attempts with exponential
 * backoff from 500 ms. When the last attempt of a `create` or `update` fails, the meeting becomes
 * `provider_error` and its host is notified (`meeting.provider_error`).
 */
export const MEETING_ROOM_TASK = defineJob<MeetingRoomPayload>({
  name: 'meetings.room',
  attempts: 4,
  backoffMs: 500,
});

/**
 * Runs {@link MEETING_ROOM_TASK}: asks the meeting's provider for its room (`createRoom` for a
 * new meeting, `updateRoom` after a reschedule) outside any transaction, then stores what the provider
 * answered; `delete` calls `deleteRoom`. A meeting not (yet) visible is retried: the job is queued
 * inside the transaction that creates the meeting and may run before it commits.
 */
@Injectable()
export class MeetingRoomJob implements JobHandler<MeetingRoomPayload>, OnModuleInit {
  readonly definition = MEETING_ROOM_TASK;

  constructor(
    private readonly registry: JobRegistry,
    private readonly db: TenantDatabase,
    private readonly repository: MeetingsRepository,
    private readonly providers: VideoProviders,
    private readonly audit: AuditService,
    private readonly notifications: NotificationsService,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  async run(context: JobContext<MeetingRoomPayload>): Promise<{ roomId: string | null }> {
    const orgId = context.organizationId;
    const { meetingId, action } = context.payload;
    if (action === 'delete') {
      await this.providers
        .get(context.payload.provider ?? 'none')
        .deleteRoom(context.payload.roomId ?? null);
      return { roomId: null };
    }
    const row = await this.db.run(orgId, (manager) =>
      this.repository.find(manager, orgId, meetingId),
    );
    if (!row) throw new Error(`meetings.room: meeting ${meetingId} is not visible (yet)`);
    const provider = this.providers.get(row.provider as VideoProviderName);
    const request = { organizationId: orgId, meetingId, joinUrl: row.join_url };
    try {
      const room =
        action === 'create'
          ? await provider.createRoom(request)
          : await provider.updateRoom(request, row.provider_room_id);
      await this.db.run(orgId, (manager) =>
        this.repository.setRoom(manager, orgId, meetingId, room.roomId, room.joinUrl),
      );
      return { roomId: room.roomId };
    } catch (error) {
      if (context.attempt >= (MEETING_ROOM_TASK.attempts ?? 1)) await this.fail(orgId, meetingId);
      throw error;
    }
  }

  /** The last attempt failed: `provider_error` (audited, `meeting.updated`) and the host told. */
  private async fail(orgId: string, meetingId: string): Promise<void> {
    const result = await this.db.run(orgId, async (manager) => {
      const row = await this.repository.find(manager, orgId, meetingId, { forUpdate: true });
      if (!row || row.status === 'cancelled' || row.status === 'ended') return null;
      await this.repository.setStatus(manager, orgId, meetingId, 'provider_error');
      await this.audit.record(manager, {
        organizationId: orgId,
        action: 'update',
        entityType: 'meeting',
        entityId: meetingId,
        changes: { status: 'provider_error' },
        context: { actorUserId: null, actorApiKeyId: null, requestId: null, ip: null },
      });
      return this.notifications.notify(manager, {
        organizationId: orgId,
        recipientUserIds: [row.host_user_id],
        type: 'meeting.provider_error',
        actorUserId: null,
        target: { entityType: 'meeting', entityId: meetingId },
        title: `The video room of “${row.title}” could not be set up`,
        body: 'The video provider did not answer after several attempts. Edit the meeting to try again, or use another link.',
        actionPath: `/api/v1/meetings/${meetingId}`,
        level: 'error',
        dedupeKey: `meeting.provider_error:${meetingId}:${row.version}`,
      });
    });
    result?.afterCommit();
  }
}

/** The worker side of meetings: the room job (registered with the job runner). */
@Module({
  imports: [AuditModule, NotificationsServiceModule],
  providers: [
    MeetingsRepository,
    NoneVideoProvider,
    JitsiVideoProvider,
    VideoProviders,
    MeetingRoomJob,
  ],
})
export class MeetingsWorkerModule {}
