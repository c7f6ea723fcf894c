#!/usr/bin/env node
// Replays the README's walkthrough against a real `npm start` on a fresh data dir (run by .ci/run
// after `npm run build`). The commands are read from the README itself — every fenced block opened
// with ```bash walkthrough — so the documentation cannot drift from what works.
//
// The blocks run in order in ONE bash session with `set -euo pipefail` (curl -f: an HTTP error
// fails the run), exactly as written except for two substitutions a second checkout needs: the
// port (`localhost:3000` → a free port) and the data dir (`.data/` → a fresh temporary one).
// Needs Redis at TEST_REDIS_URL (default redis://127.0.0.1:6379); uses ALEES_SKIP_BUILD=1.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const log = (line) => process.stdout.write(`[walkthrough] ${line}\n`);

/** The ```bash walkthrough blocks of a Markdown text, in order. */
export function walkthroughBlocks(markdown) {
  const blocks = [];
  const fence = /^```bash walkthrough\s*\n([\s\S]*?)^```\s*$/gm;
  for (let match = fence.exec(markdown); match; match = fence.exec(markdown)) blocks.push(match[1]);
  return blocks;
}

function freePort() {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function main() {
  const blocks = walkthroughBlocks(readFileSync(join(ROOT, 'README.md'), 'utf8'));
  if (blocks.length === 0) throw new Error('README.md has no ```bash walkthrough block');
  const dataDir = mkdtempSync(join(tmpdir(), 'alees-walkthrough-'));
  const port = await freePort();
  const env = {
    ...process.env,
    ALEES_SKIP_BUILD: '1',
    ALEES_DATA_DIR: dataDir,
    REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
    REDIS_KEY_PREFIX: `walkthrough-${process.pid}:`,
    EMBEDDED_PG_PORT: String(await freePort()),
    PORT: String(port),
    WORKER_PORT: String(await freePort()),
    ENVIRONMENT: 'development',
  };
  delete env.DATABASE_URL;
  const launcher = spawn(process.execPath, [join(ROOT, 'scripts/start.mjs')], {
    cwd: ROOT,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let banner = '';
  launcher.stdout.on('data', (chunk) => (banner += chunk));
  const stop = () =>
    new Promise((resolve) => {
      if (launcher.exitCode !== null) return resolve();
      launcher.once('exit', resolve);
      process.kill(-launcher.pid, 'SIGINT');
    });
  try {
    const deadline = Date.now() + 240_000;
    while (!banner.includes('Ctrl-C to stop')) {
      if (launcher.exitCode !== null) throw new Error(`npm start exited:\n${banner}`);
      if (Date.now() > deadline) throw new Error(`no banner after 240 s:\n${banner}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    log(`npm start is up on port ${port}; running ${blocks.length} README block(s)`);
    const script = blocks
      .join('\n')
      .replaceAll('localhost:3000', `localhost:${port}`)
      .replaceAll('.data/', `${dataDir}/`);
    const result = spawnSync('bash', ['-c', `set -euo pipefail\nset -x\n${script}`], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 120_000,
    });
    process.stdout.write(result.stdout);
    process.stderr.write(result.stderr);
    if (result.status !== 0) throw new Error(`the walkthrough failed (exit ${result.status})`);
    log('every README walkthrough command ran as written');
  } finally {
    await stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    process.stderr.write(`[walkthrough] FAILED: ${error.message}\n`);
    process.exit(1);
  });
}
