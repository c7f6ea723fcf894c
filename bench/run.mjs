#!/usr/bin/env node
// `npm run bench`: the benchmark harness arrives with the import/benchmark issue (HTTP list vs
// bare Fastify + pg baselines, import throughput, search latency, query counts). Until then it
// says so and exits 0, so tooling that calls it keeps working.
process.stdout.write('no benchmarks yet: the harness comes with the benchmark issue (see bench/README.md)\n');
