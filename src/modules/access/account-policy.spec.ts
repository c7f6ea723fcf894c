import type { Principal } from '../../core/auth';
import { ForbiddenError } from '../../core/http';
import {
  assertMayChangeAccount,
  assertMayManageMembershipOf,
  requirePerson,
} from './account-policy';

const principal = (overrides: Partial<Principal>): Principal => ({
  kind: 'user',
  userId: 'me',
  apiKeyId: null,
  isSuperuser: false,
  organizationId: 'org',
  permissions: new Set(),
  scopeKey: 'user:me',
  language: null,
  organizationLanguage: null,
  ...overrides,
});
const apiKey = principal({ kind: 'apiKey', userId: null, apiKeyId: 'k', isSuperuser: false });
const codeOf = (fn: () => void): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(ForbiddenError);
    return (error as ForbiddenError).code;
  }
};

describe('account policy', () => {
  it('a person changes their own profile fields, nothing else', () => {
    const me = principal({});
    expect(
      codeOf(() => assertMayChangeAccount(me, 'me', ['fullName', 'language'])),
    ).toBeUndefined();
    expect(codeOf(() => assertMayChangeAccount(me, 'me', ['isActive']))).toBe(
      'account_owned_by_person',
    );
    expect(codeOf(() => assertMayChangeAccount(me, 'me', ['email']))).toBe(
      'account_owned_by_person',
    );
    expect(codeOf(() => assertMayChangeAccount(me, 'someone', ['fullName']))).toBe(
      'account_owned_by_person',
    );
  });

  it('a superuser changes any field of any account; an API key none', () => {
    const root = principal({ isSuperuser: true });
    expect(
      codeOf(() => assertMayChangeAccount(root, 'someone', ['isSuperuser', 'isActive', 'email'])),
    ).toBeUndefined();
    expect(codeOf(() => assertMayChangeAccount(apiKey, 'someone', ['fullName']))).toBe(
      'account_owned_by_person',
    );
    // An API key can never pass as a superuser, whatever its flag says.
    expect(
      codeOf(() => assertMayChangeAccount({ ...apiKey, isSuperuser: true }, 'x', ['fullName'])),
    ).toBe('account_owned_by_person');
  });

  it('only superusers change a superuser’s membership', () => {
    const admin = principal({});
    expect(
      codeOf(() => assertMayManageMembershipOf(admin, { userId: 'x', isSuperuser: true })),
    ).toBe('superuser_protected');
    expect(
      codeOf(() => assertMayManageMembershipOf(apiKey, { userId: 'x', isSuperuser: true })),
    ).toBe('superuser_protected');
    expect(
      codeOf(() => assertMayManageMembershipOf(admin, { userId: 'x', isSuperuser: false })),
    ).toBeUndefined();
    expect(
      codeOf(() =>
        assertMayManageMembershipOf(principal({ isSuperuser: true }), {
          userId: 'x',
          isSuperuser: true,
        }),
      ),
    ).toBeUndefined();
  });

  it('requirePerson: 403 user_required for an API key', () => {
    expect(requirePerson(principal({}))).toBe('me');
    expect(codeOf(() => requirePerson(apiKey))).toBe('user_required');
  });
});
