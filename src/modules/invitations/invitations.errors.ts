import { conflict, defineErrors, forbidden } from '../../core/http';

/** The invitations module's error codes (README "Error codes"). */
export const InvitationsErrors = defineErrors({
  /** `who`: the invited address (on invite, names `/email`) or the caller (on accept). */
  already_member: conflict((who: 'invitee' | 'caller') =>
    who === 'invitee'
      ? { detail: 'This address belongs to a member already', field: 'email' }
      : 'You are a member of this organization already',
  ),
  invitation_email_mismatch: forbidden(() => 'This invitation was sent to another address'),
  account_exists: conflict(() => 'An account exists for this address: sign in, then accept'),
  /** Accepting an invitation of an organization archived since it was issued (read-only). */
  organization_archived: forbidden((organizationId: string) => ({
    detail: 'This organization is archived: it accepts no new members until it is restored',
    meta: { organizationId },
  })),
});
