import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AutomationRepository, RuleRow } from './automation.repository';

/** How long an organization's rules are trusted without a write event (safety net). */
const TTL_MS = 60_000;

/**
 * The enabled rules of each organization, in process (the worker's consumer reads them for every
 * event). Invalidated by the consumer when it sees an `automation_rule.*` event of the organization
 * (rules are written by the API process, so their events are the invalidation signal), by the
 * runner when it disables a rule, and after {@link TTL_MS} at the latest.
 */
@Injectable()
export class AutomationRulesCache {
  private readonly entries = new Map<string, { rules: RuleRow[]; at: number }>();

  constructor(private readonly repository: AutomationRepository) {}

  /** The organization's enabled rules, loaded in `manager`'s transaction when not cached. */
  async enabledRules(manager: EntityManager, orgId: string): Promise<RuleRow[]> {
    const entry = this.entries.get(orgId);
    if (entry && Date.now() - entry.at < TTL_MS) return entry.rules;
    const rules = await this.repository.enabledRules(manager, orgId);
    this.entries.set(orgId, { rules, at: Date.now() });
    return rules;
  }

  /** Forgets the organization's rules (the next event reloads them). */
  invalidate(orgId: string): void {
    this.entries.delete(orgId);
  }
}
