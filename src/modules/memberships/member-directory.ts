import { Injectable, Module } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { MembershipsRepository } from './memberships.repository';

/** An active member of one organization as other modules need them (to notify, to e-mail). */
export interface ActiveMember {
  userId: string;
  email: string;
  fullName: string;
  /** The account's preferred language (null: the organization's). */
  language: string | null;
}

/**
 * "Who are the active members of this organization?" for other modules (notifications,
 * followers): a direct, unsuspended membership of `organizationId` and an active account. Runs in
 * the caller's transaction (a tenant transaction of that organization or the outbox relay's) and
 * delegates to `MembershipsRepository`; no controller, so the worker can load it.
 */
@Injectable()
export class MemberDirectory {
  constructor(private readonly repository: MembershipsRepository) {}

  /**
   * The active members among `userIds` (every active member when omitted), optionally only those
   * holding `roleId`, ordered by user id.
   */
  activeMembers(
    manager: EntityManager,
    organizationId: string,
    filter: { userIds?: readonly string[]; roleId?: string } = {},
  ): Promise<ActiveMember[]> {
    return this.repository.activeMembers(manager, organizationId, filter);
  }
}

/** Provides {@link MemberDirectory} to API and worker modules (no controllers; only the repository). */
@Module({ providers: [MemberDirectory, MembershipsRepository], exports: [MemberDirectory] })
export class MemberDirectoryModule {}
