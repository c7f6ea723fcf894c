import 'reflect-metadata';
import { runCommand, usage } from './cli/commands';
import { loadConfigWithSecrets } from './core/config';
import { exitOnBootFailure } from './core/config/boot-failure';

/** `npm run cli -- <command>`: migrate | migrate:revert | seed | openapi | ... */
async function main(): Promise<void> {
  const [name, ...args] = process.argv.slice(2);
  if (!name || name === 'help' || name === '--help') {
    process.stdout.write(usage());
    return;
  }
  const config = await loadConfigWithSecrets();
  const print = (line: string): void => {
    process.stdout.write(`${line}\n`);
  };
  if (!(await runCommand(name, args, config, print))) {
    process.stderr.write(`unknown command "${name}"\n${usage()}`);
    process.exit(2);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => exitOnBootFailure(error),
);
