// Runs a TypeScript entry through ts-node: `node scripts/run-ts.cjs src/cli.ts openapi`.
// The entry is loaded with require() from this plain .js main, so ts-node compiles it on every
// Node line — Node ≥ 22.18/23.6 would otherwise strip the types of a .ts *main* file itself, which
// fails on decorators (the Node 24 failure of the forked worker in fault-tolerance.e2e-spec.ts).
require('ts-node').register({ transpileOnly: true });
const { resolve } = require('node:path');
process.argv.splice(1, 1); // the entry becomes argv[1], as if it had been run directly
require(resolve(process.argv[1]));
