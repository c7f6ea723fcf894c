import { Global, Injectable, Module } from '@nestjs/common';

/** Time, injected, so rules that depend on it (lockouts, expiries) are tested without sleeping. */
@Injectable()
export class Clock {
  private offsetMs = 0;

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  /** Tests only: move this clock forward. */
  advance(ms: number): void {
    this.offsetMs += ms;
  }

  /** Tests only: back to real time. */
  reset(): void {
    this.offsetMs = 0;
  }
}

/** Provides the `Clock` to the worker (the API gets it from `HttpCoreModule`). */
@Global()
@Module({ providers: [Clock], exports: [Clock] })
export class ClockModule {}
