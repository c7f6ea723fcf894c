import type { LoggerService } from '@nestjs/common';
import { WiringAtDebugLogger, WIRING_CONTEXTS } from './wiring-at-debug.logger';

function recorder() {
  const calls: [string, unknown[]][] = [];
  const inner: LoggerService = {
    log: (...args: unknown[]) => calls.push(['log', args]),
    error: (...args: unknown[]) => calls.push(['error', args]),
    warn: (...args: unknown[]) => calls.push(['warn', args]),
    debug: (...args: unknown[]) => calls.push(['debug', args]),
    verbose: (...args: unknown[]) => calls.push(['verbose', args]),
  };
  return { calls, logger: new WiringAtDebugLogger(inner) };
}

describe('WiringAtDebugLogger', () => {
  it.each([...WIRING_CONTEXTS])('logs Nest wiring lines of %s at debug', (context) => {
    const { calls, logger } = recorder();
    logger.log('Mapped {/api/v1/products, GET} route', context);
    expect(calls).toEqual([['debug', ['Mapped {/api/v1/products, GET} route', context]]]);
  });

  it('passes every other line through at its own level', () => {
    const { calls, logger } = recorder();
    logger.log('API listening on port 3000', 'Api');
    logger.log('no context');
    logger.warn('slow query', 'Database');
    logger.error('boom', 'stack', 'Worker');
    logger.fatal('dead', 'Worker'); // no fatal on the inner logger: error
    expect(calls).toEqual([
      ['log', ['API listening on port 3000', 'Api']],
      ['log', ['no context']],
      ['warn', ['slow query', 'Database']],
      ['error', ['boom', 'stack', 'Worker']],
      ['error', ['dead', 'Worker']],
    ]);
  });
});
