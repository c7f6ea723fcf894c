import { Injectable, Module, OnModuleInit } from '@nestjs/common';
import { TargetRegistry } from '../../core/targets';
import { MeetingsRepository } from './meetings.repository';

/**
 * Registers meetings (`meeting`) as a collaboration target (SPEC-P3 §0): comments, followers and
 * activities hang off them; read with `meetings:read`, changed with `meetings:update`.
 */
@Injectable()
export class MeetingTargetRegistration implements OnModuleInit {
  constructor(
    private readonly targets: TargetRegistry,
    private readonly meetings: MeetingsRepository,
  ) {}

  onModuleInit(): void {
    this.targets.register({
      entityType: 'meeting',
      readPermission: 'meetings:read',
      updatePermission: 'meetings:update',
      // Share-locked: nothing lands on a meeting being deleted.
      exists: (manager, orgId, id, options) =>
        this.meetings.exists(manager, orgId, id, { forShare: options?.lock !== false }),
      label: async (manager, orgId, id) =>
        (await this.meetings.find(manager, orgId, id))?.title ?? null,
      path: (id) => `/api/v1/meetings/${id}`,
    });
  }
}

/** The meeting target, loaded by the API and the worker. */
@Module({ providers: [MeetingsRepository, MeetingTargetRegistration] })
export class MeetingTargetsModule {}
