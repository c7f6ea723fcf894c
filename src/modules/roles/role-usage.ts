import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/**
 * The modules whose records hold roles, each of which must register a {@link RoleHolder} before a
 * role can be deleted: `memberships` (`membership_roles`) and `api-keys` (live keys).
 */
export const ROLE_HOLDERS = ['memberships', 'api-keys'] as const;
export type RoleHolderName = (typeof ROLE_HOLDERS)[number];

/**
 * One owner's answer to "does anything of yours hold this role?": `uses` looks in the owner's
 * table through the owner's repository, in the caller's tenant transaction (`manager`, from
 * `TenantDatabase.run(orgId, …)`), for the role `roleId` of the organization `orgId`.
 */
export interface RoleHolder {
  readonly name: RoleHolderName;
  uses(manager: EntityManager, orgId: string, roleId: string): Promise<boolean>;
}

/**
 * Who holds a role, filled by the owners (memberships and api-keys register from their
 * `onModuleInit`, the `ExistenceChecks` pattern of core/database): roles asks here before deleting
 * a role instead of running SQL on other modules' tables, and imports none of them (they import
 * roles, so importing them back would be a cycle). Provided and exported by `RolesModule`, one
 * instance per process; roles are deleted only through the API.
 */
@Injectable()
export class RoleUsage {
  private readonly holders = new Map<RoleHolderName, RoleHolder>();

  /** Adds an owner's check; a second one for the same holder is a wiring bug (throws). */
  register(holder: RoleHolder): void {
    if (this.holders.has(holder.name)) {
      throw new Error(`RoleUsage: "${holder.name}" is registered twice`);
    }
    this.holders.set(holder.name, holder);
  }

  /**
   * Whether any holder in {@link ROLE_HOLDERS} holds the role. Throws when one of them did not
   * register (a wiring bug: its module is not loaded), so a role is never deleted unchecked.
   */
  async inUse(manager: EntityManager, orgId: string, roleId: string): Promise<boolean> {
    for (const name of ROLE_HOLDERS) {
      const holder = this.holders.get(name);
      if (!holder) throw new Error(`RoleUsage: no check registered for "${name}"`);
      if (await holder.uses(manager, orgId, roleId)) return true;
    }
    return false;
  }
}
