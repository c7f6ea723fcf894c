export { InvitationsModule } from './invitations.module';
export { InvitationsService, InvitationInput } from './invitations.service';
export { InvitationEntity } from './invitation.entity';
