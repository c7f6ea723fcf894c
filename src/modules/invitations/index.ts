import { InvitationEntity } from './invitation.entity';

export { InvitationsModule } from './invitations.module';
export { InvitationsService, InvitationInput } from './invitations.service';
export { InvitationDto } from './dto/invitation.dto';
export { InvitationEntity } from './invitation.entity';

/** The TypeORM entities whose tables this module owns (listed by the module registry). */
export const INVITATIONS_ENTITIES = [InvitationEntity];
