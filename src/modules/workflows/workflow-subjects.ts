import { Global, Injectable, Module } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { AuditContext } from '../../core/auth';
import type { ListDefinition } from '../../core/http';

/**
 * An entity type workflows may govern, registered by the module that owns its table (products,
 * contacts) from a provider loaded in the API and the worker. Workflows never import the owner:
 * conditions compile against `list` (the filter grammar of its list route) and are tested on the
 * record with `SELECT … FROM <table> WHERE <table>.organization_id = $1 AND <table>.id = $2 AND
 * (<condition>)`; the record's `status` changes through `writeStatus` (the owner's service: its
 * rules, version bump and audit row apply).
 */
export interface WorkflowSubject {
  /** The target type (`product`), as in `TargetRegistry`. */
  readonly entityType: string;
  /** The list whose filter fields a transition condition may use. */
  readonly list: ListDefinition;
  /** The table the list's field SQL names (`products`); a constant from code, never input. */
  readonly table: string;
  /**
   * Writes the record's `status` after a transition to state `code`, inside the transition's
   * transaction, audited by the owner (absent: the type has no status field; resolves whether it
   * wrote). An owner ignores codes that are not statuses of its own lifecycle.
   */
  writeStatus?(
    manager: EntityManager,
    orgId: string,
    entityId: string,
    code: string,
    context: AuditContext,
  ): Promise<boolean>;
  /**
   * Runs after the commit of a transition whose `writeStatus` wrote (cached list totals of the
   * owner, e.g. products' counts). Errors propagate to the caller.
   */
  afterStatusWrite?(orgId: string): Promise<void>;
  /** The user who created the record (for the self-approval rule), null when unknown. */
  createdBy?(manager: EntityManager, orgId: string, entityId: string): Promise<string | null>;
}

/** The registry of {@link WorkflowSubject}s (global; one per process). */
@Injectable()
export class WorkflowSubjects {
  private readonly subjects = new Map<string, WorkflowSubject>();

  /** Adds a subject; registering a type twice is a wiring bug and throws. */
  register(subject: WorkflowSubject): void {
    if (this.subjects.has(subject.entityType))
      throw new Error(`WorkflowSubjects: "${subject.entityType}" is registered twice`);
    this.subjects.set(subject.entityType, subject);
  }

  /** The subject of `entityType`, or undefined. */
  get(entityType: string): WorkflowSubject | undefined {
    return this.subjects.get(entityType);
  }

  /** Registered types, sorted. */
  types(): string[] {
    return [...this.subjects.keys()].sort();
  }
}

/** Provides {@link WorkflowSubjects} to every module (API and worker roots import it). */
@Global()
@Module({ providers: [WorkflowSubjects], exports: [WorkflowSubjects] })
export class WorkflowSubjectsModule {}
