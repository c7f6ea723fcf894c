import { Injectable } from '@nestjs/common';
import type { JobHandler } from './job.types';

/** Task handlers by name; filled by each module's handlers on init (worker entry). */
@Injectable()
export class JobRegistry {
  private readonly handlers = new Map<string, JobHandler>();

  register<P extends object>(handler: JobHandler<P>): void {
    const name = handler.definition.name;
    if (this.handlers.has(name)) throw new Error(`Task "${name}" is registered twice`);
    this.handlers.set(name, handler);
  }

  get(name: string): JobHandler | undefined {
    return this.handlers.get(name);
  }
}
