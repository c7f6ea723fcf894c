import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryColumn,
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';

/** A chat room of one organization; only its participants read and post. */
@Entity({ name: 'chat_rooms' })
@Index('ix_chat_rooms_organization_id', ['organizationId', 'id'])
export class ChatRoomEntity {
  @PrimaryColumn({ type: 'uuid', default: () => 'gen_uuid_v7()' }) id: string;
  @Column({ type: 'uuid' }) organizationId: string;
  @Column({ type: 'varchar', length: 200 }) name: string;
  @Column({ type: 'uuid' }) createdBy: string;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
  @VersionColumn({ default: 1 }) version: number;
}

@Entity({ name: 'chat_participants' })
@Index('ix_chat_participants_user_id', ['userId', 'organizationId'])
export class ChatParticipantEntity {
  @Column({ type: 'uuid' }) organizationId: string;
  @PrimaryColumn({ type: 'uuid' }) roomId: string;
  @PrimaryColumn({ type: 'uuid' }) userId: string;
  @CreateDateColumn({ type: 'timestamptz' }) joinedAt: Date;
}

@Entity({ name: 'chat_messages' })
@Index('ix_chat_messages_room_id', ['roomId', 'id'])
@Check('ck_chat_messages_body', `length("body") BETWEEN 1 AND 4000`)
export class ChatMessageEntity {
  @PrimaryColumn({ type: 'uuid', default: () => 'gen_uuid_v7()' }) id: string;
  @Column({ type: 'uuid' }) organizationId: string;
  @Column({ type: 'uuid' }) roomId: string;
  @Column({ type: 'uuid' }) authorId: string;
  @Column({ type: 'text' }) body: string;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}
