/**
 * A worker process for the outbox crash test: besides the real consumers it registers one that
 * reports when it holds a batch (inside the relay's transaction, its events claimed and locked)
 * and never returns — the test then SIGKILLs this process mid-batch. Configured only by env.
 */
import { Injectable, Module, OnModuleInit } from '@nestjs/common';
import { createWorkerApplication } from '../../src/bootstrap';
import { loadConfig } from '../../src/core/config/load-config';
import {
  DomainEvent,
  DomainEventConsumer,
  DomainEventConsumers,
} from '../../src/modules/domain-events';

@Injectable()
class HangingConsumer implements DomainEventConsumer, OnModuleInit {
  readonly name = 'test-hang';
  constructor(private readonly consumers: DomainEventConsumers) {}
  onModuleInit(): void {
    this.consumers.register(this);
  }
  handle(_manager: unknown, events: readonly DomainEvent[]): Promise<never> {
    process.send?.(`holding ${events.length}`);
    return new Promise<never>(() => undefined);
  }
}

@Module({ providers: [HangingConsumer] })
class HangingModule {}

void createWorkerApplication(loadConfig(process.env), undefined, [HangingModule]).then(() =>
  process.send?.('ready'),
);
