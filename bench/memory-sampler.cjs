// Preloaded into the bench's worker (`node --require bench/memory-sampler.cjs`): every 200 ms,
// keeps the peak of each `process.memoryUsage()` field (rss, heapTotal, heapUsed, external,
// arrayBuffers; MB) and the heap spaces' sizes, and rewrites them to $BENCH_MEMORY_FILE, so the
// bench can tell heap from young generation from off-heap memory in the worker's peak RSS.
// Measurement only: never loaded by `npm run start:worker`, scripts/start.mjs or the image.
const { writeFileSync } = require('node:fs');
const v8 = require('node:v8');

const file = process.env.BENCH_MEMORY_FILE;
if (file) {
  const peaks = {};
  let changed = false;
  const keep = (name, bytes) => {
    const mb = Math.round(bytes / 1048576);
    if (peaks[name] >= mb) return;
    peaks[name] = mb;
    changed = true;
  };
  const timer = setInterval(() => {
    for (const [name, bytes] of Object.entries(process.memoryUsage())) keep(name, bytes);
    for (const space of v8.getHeapSpaceStatistics()) keep(space.space_name, space.space_size);
    if (changed) writeFileSync(file, JSON.stringify(peaks)); // only when a peak grew
    changed = false;
  }, 200);
  timer.unref();
}

// With $BENCH_CPU_PROFILE: V8's CPU profiler runs while the file `<that path>.on` exists (the
// bench creates it before the import and removes it after), then the profile is written to that
// path. A file, not a signal: Nest's shutdown hooks treat SIGUSR2 as a stop signal.
const profileFile = process.env.BENCH_CPU_PROFILE;
if (profileFile) {
  const { existsSync } = require('node:fs');
  const inspector = require('node:inspector');
  const session = new inspector.Session();
  session.connect();
  let running = false;
  const poll = setInterval(() => {
    const wanted = existsSync(`${profileFile}.on`);
    if (wanted && !running) {
      running = true;
      session.post('Profiler.enable', () => session.post('Profiler.start'));
    } else if (!wanted && running) {
      running = false;
      session.post('Profiler.stop', (error, result) => {
        if (!error) writeFileSync(profileFile, JSON.stringify(result.profile));
      });
    }
  }, 100);
  poll.unref();
}
