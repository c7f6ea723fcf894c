import { Injectable, OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Principal } from '../../core/auth';
import { iso } from '../../core/database';
import { TargetRegistry } from '../../core/targets';
import { TenantDatabase } from '../../core/tenancy';
import { AccessService } from '../access';
import { MemberDirectory } from '../memberships';
import type { FollowerDto } from './dto/follower.dto';
import { FollowersErrors } from './followers.errors';
import { FollowerRow, FollowersRepository, FollowReason } from './followers.repository';

/** A target as routes and events name it. */
export interface FollowTarget {
  entityType: string;
  entityId: string;
}

const toDto = (row: FollowerRow): FollowerDto => ({
  userId: row.user_id,
  reason: row.reason,
  createdAt: iso(row.created_at)!,
});

/**
 * Followers of targets (SPEC-P3 §3): explicit follow/unfollow, adding a colleague, and the
 * automatic follows (author, mentioned, assigned) that the notifications consumer asks for.
 * Target checks go through `TargetRegistry.assertAccessible` (404 for unknown, missing,
 * other-tenant or unreadable targets). Followers go with their target (`TargetChildren`).
 */
@Injectable()
export class FollowersService implements OnModuleInit {
  constructor(
    private readonly db: TenantDatabase,
    private readonly repository: FollowersRepository,
    private readonly targets: TargetRegistry,
    private readonly members: MemberDirectory,
    private readonly access: AccessService,
  ) {}

  onModuleInit(): void {
    this.targets.registerChildren({
      name: 'followers',
      // The deletion's event names who followed, so they hear of it (`record.deleted`).
      deleteFor: async (manager, orgId, entityType, entityId) => ({
        followerIds: await this.repository.removeAll(manager, orgId, entityType, entityId),
      }),
    });
  }

  /** The followers of a target the caller can read. */
  list(orgId: string, caller: Principal, target: FollowTarget): Promise<FollowerDto[]> {
    // Read path: one round trip per statement (no BEGIN/COMMIT), RLS as in `run` (SPEC §8).
    return this.db.read(orgId, async (manager) => {
      await this.targets.assertReadable(
        manager,
        orgId,
        caller.permissions,
        target.entityType,
        target.entityId,
      );
      const rows = await this.repository.list(manager, orgId, target.entityType, target.entityId);
      return rows.map(toDto);
    });
  }

  /** The caller follows a target they can read (idempotent: an existing reason is kept). */
  follow(
    orgId: string,
    caller: Principal,
    userId: string,
    target: FollowTarget,
  ): Promise<FollowerDto> {
    return this.db.run(orgId, async (manager) => {
      await this.assertTarget(manager, orgId, caller, target, 'read');
      await this.repository.add(
        manager,
        orgId,
        target.entityType,
        target.entityId,
        [userId],
        'manual',
      );
      return this.one(manager, orgId, target, userId);
    });
  }

  /** The caller stops following (idempotent). */
  unfollow(orgId: string, caller: Principal, userId: string, target: FollowTarget): Promise<void> {
    return this.db.run(orgId, async (manager) => {
      await this.assertTarget(manager, orgId, caller, target, 'read');
      await this.repository.remove(manager, orgId, target.entityType, target.entityId, userId);
    });
  }

  /**
   * Adds a colleague as follower: the caller needs the target's update permission; the colleague
   * must be an active member who can read it (422 `follower_cannot_read_target`).
   */
  async addFollower(
    orgId: string,
    caller: Principal,
    target: FollowTarget,
    userId: string,
  ): Promise<FollowerDto> {
    return this.db.run(orgId, async (manager) => {
      const definition = await this.assertTarget(manager, orgId, caller, target, 'update');
      const readers = await this.readersAmong(manager, orgId, definition.readPermission, [userId]);
      if (readers.length === 0) throw FollowersErrors.follower_cannot_read_target();
      await this.repository.add(
        manager,
        orgId,
        target.entityType,
        target.entityId,
        [userId],
        'manual',
      );
      return this.one(manager, orgId, target, userId);
    });
  }

  /**
   * For the notifications consumer (caller's transaction): makes `userIds` follow a target with
   * `reason`, skipping anyone who is not an active member able to read it and unknown targets.
   */
  async autoFollow(
    manager: EntityManager,
    orgId: string,
    target: FollowTarget,
    userIds: readonly string[],
    reason: FollowReason,
  ): Promise<void> {
    if (userIds.length === 0 || !this.targets.has(target.entityType)) return;
    const definition = this.targets.get(target.entityType);
    const readers = await this.readersAmong(manager, orgId, definition.readPermission, userIds);
    await this.repository.add(manager, orgId, target.entityType, target.entityId, readers, reason);
  }

  /** The user ids following a target (caller's transaction). */
  async followerIds(
    manager: EntityManager,
    orgId: string,
    target: FollowTarget,
  ): Promise<string[]> {
    const rows = await this.repository.list(manager, orgId, target.entityType, target.entityId);
    return rows.map((r) => r.user_id);
  }

  /** Of `userIds`, the active members whose permissions include `permission`. */
  private async readersAmong(
    manager: EntityManager,
    orgId: string,
    permission: string,
    userIds: readonly string[],
  ): Promise<string[]> {
    const members = await this.members.activeMembers(manager, orgId, { userIds });
    const readers: string[] = [];
    for (const member of members) {
      const access = await this.access.resolve(member.userId, orgId, false);
      if (access.member && access.permissions.includes(permission)) readers.push(member.userId);
    }
    return readers;
  }

  private assertTarget(
    manager: EntityManager,
    orgId: string,
    caller: Principal,
    target: FollowTarget,
    mode: 'read' | 'update',
  ) {
    return this.targets.assertAccessible(
      manager,
      orgId,
      caller.permissions,
      target.entityType,
      target.entityId,
      mode,
    );
  }

  private async one(
    manager: EntityManager,
    orgId: string,
    target: FollowTarget,
    userId: string,
  ): Promise<FollowerDto> {
    const rows = await this.repository.list(manager, orgId, target.entityType, target.entityId);
    return toDto(rows.find((r) => r.user_id === userId)!);
  }
}
