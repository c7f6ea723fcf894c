export { QueueModule } from './queue.module';
export { addWithTimeout, JobQueue } from './job-queue.service';
export { SystemPingProcessor } from './system-ping.processor';
export { SystemController } from './system.controller';
export * from './queue.constants';
