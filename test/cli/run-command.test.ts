import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toStartError } from '../../src/cli/run-command.ts';
import { ConfigError } from '../../src/config/config-error.ts';
import { runJobwatchCli } from '../support/run-command.ts';
import { testRedisUrl, uniquePrefix } from '../support/redis.ts';

describe('jobwatch run with the HTTP port taken', () => {
  let blocker: Server;
  let port: number;

  beforeAll(async () => {
    blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '0.0.0.0', resolve));
    port = (blocker.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => blocker.close(() => resolve()));
  });

  it('exits with 2 and names the setting', async () => {
    // Without the exit, the command would idle until vitest's timeout fails the test.
    const result = await runJobwatchCli(['run'], {
      JOBWATCH_ROLES: 'notifier',
      JOBWATCH_HTTP_PORT: String(port),
      REDIS_URL: testRedisUrl(),
      JOBWATCH_REDIS_PREFIX: uniquePrefix('run-port'),
      LOG_LEVEL: 'warn',
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('jobwatch cannot start: 1 problem in the environment:');
    expect(result.stderr).toContain(`JOBWATCH_HTTP_PORT is ${port}, but another process already listens on that port (EADDRINUSE)`);
    expect(result.stderr).toContain('or to 0 to let the system choose one');
  });
});

describe('toStartError', () => {
  it('converts listen errors to a ConfigError', () => {
    const inUse = Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE', syscall: 'listen' });
    const converted = toStartError(inUse, 8080);
    expect(converted).toBeInstanceOf(ConfigError);
    expect((converted as ConfigError).problems[0]?.setting).toBe('JOBWATCH_HTTP_PORT');
    expect((converted as ConfigError).cause).toBe(inUse);
    const denied = Object.assign(new Error('listen EACCES'), { code: 'EACCES', syscall: 'listen' });
    expect((toStartError(denied, 80) as ConfigError).problems[0]?.message).toContain('may not listen on that port');
  });

  it('returns other errors unchanged', () => {
    const connectError = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED', syscall: 'connect' });
    expect(toStartError(connectError, 8080)).toBe(connectError);
    expect(toStartError(undefined, 8080)).toBeUndefined();
  });
});
