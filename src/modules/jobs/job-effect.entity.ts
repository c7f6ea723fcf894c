import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** A side effect a task committed (`JobContext.once`), so a retry does not repeat it. */
@Entity({ name: 'task_effects' })
export class JobEffectEntity {
  @PrimaryColumn({ type: 'text' }) key: string;
  @Column({ type: 'text' }) taskId: string;
  @Column({ type: 'jsonb', nullable: true }) result: unknown;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}
