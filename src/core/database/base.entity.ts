import {
  BeforeInsert,
  CreateDateColumn,
  PrimaryColumn,
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';
import { v7 as uuidv7 } from 'uuid';

/**
 * Columns every mutable row has. Ids are UUID v7 (time-ordered, so inserts stay index-friendly):
 * set in the app so a service knows the id before commit (audit, outbox), and defaulted by the
 * database (`gen_uuid_v7()`, created by the first migration) for set-based inserts and COPY.
 * `version` drives `ETag`/`If-Match` optimistic concurrency.
 */
export abstract class BaseEntity {
  @PrimaryColumn({ type: 'uuid', default: () => 'gen_uuid_v7()' })
  id: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;

  @VersionColumn({ default: 1 })
  version: number;

  @BeforeInsert()
  protected assignId(): void {
    this.id ??= uuidv7();
  }
}
