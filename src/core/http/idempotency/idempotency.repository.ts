import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { IdempotencyKeyEntity } from './idempotency-key.entity';

export type StoredIdempotentResponse = Pick<
  IdempotencyKeyEntity,
  'requestHash' | 'state' | 'responseStatus' | 'responseBody' | 'responseHeaders'
>;

/** The only code that touches `idempotency_keys`. */
@Injectable()
export class IdempotencyRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Claims the key for this request; `false` when another request already holds it. */
  async claim(
    scope: string,
    key: string,
    requestHash: string,
    ttlSeconds: number,
  ): Promise<boolean> {
    // An expired claim is dead weight: drop it so the key can be reused.
    await this.dataSource.query(
      `DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND expires_at < now()`,
      [scope, key],
    );
    const inserted: unknown[] = await this.dataSource.query(
      `INSERT INTO idempotency_keys (scope, key, request_hash, state, expires_at)
       VALUES ($1, $2, $3, 'pending', now() + make_interval(secs => $4))
       ON CONFLICT (scope, key) DO NOTHING
       RETURNING id`,
      [scope, key, requestHash, ttlSeconds],
    );
    return inserted.length === 1;
  }

  async find(scope: string, key: string): Promise<StoredIdempotentResponse | null> {
    return this.dataSource.getRepository(IdempotencyKeyEntity).findOne({
      where: { scope, key },
      select: {
        requestHash: true,
        state: true,
        responseStatus: true,
        responseBody: true,
        responseHeaders: true,
      },
    });
  }

  async complete(
    scope: string,
    key: string,
    response: { status: number; body: unknown; headers: Record<string, string> },
  ): Promise<void> {
    await this.dataSource.query(
      `UPDATE idempotency_keys
          SET state = 'completed', response_status = $3, response_body = $4, response_headers = $5
        WHERE scope = $1 AND key = $2`,
      [
        scope,
        key,
        response.status,
        JSON.stringify(response.body ?? null),
        JSON.stringify(response.headers),
      ],
    );
  }

  /** The first attempt failed: release the key so a retry can run for real. */
  async release(scope: string, key: string): Promise<void> {
    await this.dataSource.query(
      `DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND state = 'pending'`,
      [scope, key],
    );
  }

  async deleteExpired(): Promise<number> {
    const result: [unknown[], number] = await this.dataSource.query(
      `DELETE FROM idempotency_keys WHERE expires_at < now()`,
    );
    return result[1];
  }
}
