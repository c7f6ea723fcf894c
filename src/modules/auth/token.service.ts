import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { LRUCache } from 'lru-cache';
import { v7 as uuidv7 } from 'uuid';
import { AppConfig } from '../../core/config';
import { TenantDatabase } from '../../core/tenancy';
import { LocalCache, PRINCIPALS_CACHE } from '../../core/cache';
import { Clock } from '../../core/clock';
import { returningRows } from '../../core/database';
import { RefreshTokenEntity } from './auth-tokens.entity';
import { revokeAllSessionsOfUser } from './revoke-sessions';
import { AuthErrors } from './auth.errors';

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  /** Seconds until the access token expires. */
  expiresIn: number;
  tokenType: 'Bearer';
}

interface AccessClaims {
  sub: string;
  jti: string;
  /** The refresh-token family (session) it was issued with; absent in tokens issued before it existed. */
  fam?: string;
  typ: 'access';
  /** Expiry, seconds since the epoch (RFC 7519 §4.1.4). */
  exp: number;
  /** Not before, seconds since the epoch (RFC 7519 §4.1.5); this server does not issue it. */
  nbf?: number;
}

/**
 * How many verified access tokens each process keeps (≈ 0.5 KB each, so ≤ ~5 MB). A client sends
 * the same access token on every request for its 15-minute life; 10,000 covers that many sessions
 * active at once per process — past it the least recently used are verified again.
 */
const VERIFIED_ACCESS_TOKENS = 10_000;

interface RefreshClaims {
  sub: string;
  jti: string;
  fam: string;
  typ: 'refresh';
}

/**
 * JWT access tokens (short, stateless) and refresh tokens (rotated, one row each). Presenting a
 * refresh token that was already used revokes its whole family: someone else has a copy.
 */
@Injectable()
export class TokenService {
  constructor(
    private readonly jwt: JwtService,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly db: TenantDatabase,
    private readonly local: LocalCache,
  ) {}

  /**
   * Access tokens whose signature, algorithm and type this process has verified, by their exact
   * string. A signature check is a pure function of the token and the key (static for the
   * process's life), so it is done once per token; the time checks (`exp`, `nbf`) run on every
   * use against the clock, as `jsonwebtoken` runs them. Revocation is not a property of the token:
   * the guard checks the session and the user on every request (PRINCIPALS_CACHE). Issue 21: the
   * HMAC, JSON and base64 work of a verify was ~4 % of the API's CPU on a product list.
   */
  private readonly verifiedAccess = new LRUCache<string, Readonly<AccessClaims>>({
    max: VERIFIED_ACCESS_TOKENS,
  });

  private get algorithm() {
    return this.config.jwt.algorithm;
  }

  /** A new pair; `client` (IP, user agent) is stored on the refresh token for the sessions list. */
  async issue(
    userId: string,
    familyId: string = uuidv7(),
    client: { ip: string | null; userAgent: string | null } = { ip: null, userAgent: null },
  ): Promise<TokenPair> {
    const now = Math.floor(this.clock.now().getTime() / 1000);
    const refreshId = uuidv7();
    const accessClaims: AccessClaims = {
      sub: userId,
      jti: uuidv7(),
      fam: familyId,
      typ: 'access',
      exp: now + this.config.jwt.accessTokenTtlSeconds,
    };
    const refreshClaims: RefreshClaims = {
      sub: userId,
      jti: refreshId,
      fam: familyId,
      typ: 'refresh',
    };
    const accessToken = await this.jwt.signAsync(
      { ...accessClaims, iat: now },
      { algorithm: this.algorithm },
    );
    const refreshToken = await this.jwt.signAsync(
      { ...refreshClaims, iat: now, exp: now + this.config.jwt.refreshTokenTtlSeconds },
      { algorithm: this.algorithm },
    );
    await this.db.runAsSystem('authentication', (manager) =>
      manager.getRepository(RefreshTokenEntity).insert({
        id: refreshId,
        userId,
        familyId,
        expiresAt: new Date((now + this.config.jwt.refreshTokenTtlSeconds) * 1000),
        ip: client.ip,
        userAgent: client.userAgent,
      }),
    );
    return {
      accessToken,
      refreshToken,
      expiresIn: this.config.jwt.accessTokenTtlSeconds,
      tokenType: 'Bearer',
    };
  }

  /**
   * Verifies signature, algorithm (no `none`), expiry and type; 401 `invalid_token` otherwise.
   * The signature of a given token string is checked once per process ({@link verifiedAccess});
   * expiry and not-before on every call.
   */
  async verifyAccess(token: string): Promise<Readonly<AccessClaims>> {
    const known = this.verifiedAccess.get(token);
    if (known) {
      const now = Math.floor(this.clock.now().getTime() / 1000);
      // jsonwebtoken's own rules (no clock tolerance): expired at exp, valid from nbf.
      if (now >= known.exp || (known.nbf !== undefined && known.nbf > now)) {
        this.verifiedAccess.delete(token);
        throw AuthErrors.invalid_token();
      }
      return known;
    }
    const claims = await this.verify<AccessClaims>(token);
    if (claims.typ !== 'access') throw AuthErrors.invalid_token('Invalid token');
    // Only tokens that carry an expiry are kept (this server always sets one).
    if (typeof claims.exp === 'number') this.verifiedAccess.set(token, Object.freeze(claims));
    return claims;
  }

  /** Rotation: the presented token is spent, a new pair in the same family is issued. */
  async rotate(
    refreshToken: string,
    client?: { ip: string | null; userAgent: string | null },
  ): Promise<{ userId: string; tokens: TokenPair }> {
    const claims = await this.verify<RefreshClaims>(refreshToken);
    if (claims.typ !== 'refresh') throw AuthErrors.invalid_token('Invalid token');
    const now = this.clock.now();
    // Atomic claim: only one concurrent refresh with the same token can spend it.
    const spent = await this.db.runAsSystem('authentication', (manager) =>
      returningRows<{ user_id: string }>(
        manager,
        `UPDATE refresh_tokens SET used_at = $2
          WHERE id = $1 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > $2
          RETURNING user_id`,
        [claims.jti, now],
      ),
    );
    if (spent.length === 0) {
      // Reuse of a spent (or revoked) token: revoke the whole family.
      await this.revokeFamily(claims.fam);
      throw AuthErrors.refresh_token_reused();
    }
    return { userId: spent[0].user_id, tokens: await this.issue(claims.sub, claims.fam, client) };
  }

  async revokeByRefreshToken(refreshToken: string): Promise<void> {
    const claims = await this.verify<RefreshClaims>(refreshToken);
    await this.revokeFamily(claims.fam);
  }

  async revokeFamily(familyId: string): Promise<void> {
    await this.db.runAsSystem('authentication', (manager) =>
      manager.query(
        `UPDATE refresh_tokens SET revoked_at = $2 WHERE family_id = $1 AND revoked_at IS NULL`,
        [familyId, this.clock.now()],
      ),
    );
    // The guard keeps "this session is active" with the caller: drop it everywhere.
    await this.local.invalidate(PRINCIPALS_CACHE);
  }

  async revokeAllForUser(userId: string): Promise<void> {
    await this.db.runAsSystem('authentication', (manager) =>
      revokeAllSessionsOfUser(manager, userId, this.clock.now()),
    );
    await this.local.invalidate(PRINCIPALS_CACHE);
  }

  private async verify<T extends object>(token: string): Promise<T> {
    try {
      return await this.jwt.verifyAsync<T>(token, {
        algorithms: [this.algorithm],
        clockTimestamp: Math.floor(this.clock.now().getTime() / 1000),
      });
    } catch {
      throw AuthErrors.invalid_token();
    }
  }
}
