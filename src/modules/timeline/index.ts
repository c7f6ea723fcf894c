// Public surface of the timeline module (no tables of its own).
export { TimelineModule } from './timeline.module';
export { TimelineSources, TimelineSourcesModule, TIMELINE_AT_SQL } from './timeline-sources';
export type { TimelineCursor, TimelineEntry, TimelineSource } from './timeline-sources';
