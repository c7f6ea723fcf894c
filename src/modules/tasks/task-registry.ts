import { Injectable } from '@nestjs/common';
import type { TaskHandler } from './task.types';

/** Task handlers by name; filled by each module's handlers on init (worker entry). */
@Injectable()
export class TaskRegistry {
  private readonly handlers = new Map<string, TaskHandler>();

  register<P extends object>(handler: TaskHandler<P>): void {
    const name = handler.definition.name;
    if (this.handlers.has(name)) throw new Error(`Task "${name}" is registered twice`);
    this.handlers.set(name, handler);
  }

  get(name: string): TaskHandler | undefined {
    return this.handlers.get(name);
  }
}
