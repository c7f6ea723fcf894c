import { Injectable } from '@nestjs/common';
import * as argon2 from 'argon2';

/** argon2id with OWASP's baseline parameters (19 MiB, t=2, p=1). */
@Injectable()
export class PasswordHasher {
  private readonly options = {
    type: argon2.argon2id as 2,
    memoryCost: 19_456,
    timeCost: 2,
    parallelism: 1,
  };
  /** Verified against when the email is unknown, so both paths cost the same time. */
  private dummyHash?: Promise<string>;

  hash(password: string): Promise<string> {
    return argon2.hash(password, this.options);
  }

  async verify(hash: string, password: string): Promise<boolean> {
    try {
      return await argon2.verify(hash, password);
    } catch {
      return false;
    }
  }

  async verifyAgainstDummy(password: string): Promise<false> {
    this.dummyHash ??= this.hash('not-a-real-password-but-same-cost');
    await this.verify(await this.dummyHash, password);
    return false;
  }
}
