import { describe, expect, it } from 'vitest';
import { ConfigError, formatConfigError, type ConfigProblem } from '../../src/config/config-error.ts';
import { loadConfig } from '../../src/config/env.ts';

const BOT_TOKEN = 'xoxb-1111-2222-abcdefghijkl';
const APP_TOKEN = 'xapp-1-A111-2222-abcdef';
const SIGNING_SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const SLACK_ENV = {
  SLACK_BOT_TOKEN: BOT_TOKEN,
  SLACK_SIGNING_SECRET: SIGNING_SECRET,
  SLACK_CHANNEL: '#alerts',
};

function configError(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

function problemsOf(env: NodeJS.ProcessEnv): ConfigProblem[] {
  return [...configError(env).problems];
}

/** Cases with exactly one problem, on the named variable, whose message contains `says`. */
const INVALID: { name: string; env: NodeJS.ProcessEnv; says: string }[] = [
  { name: 'SLACK_BOT_TOKEN', env: { ...SLACK_ENV, SLACK_BOT_TOKEN: 'abc' }, says: 'must start with xoxb-' },
  { name: 'SLACK_BOT_TOKEN', env: { ...SLACK_ENV, SLACK_BOT_TOKEN: 'xoxb-' }, says: 'must start with xoxb-' },
  { name: 'SLACK_BOT_TOKEN', env: { ...SLACK_ENV, SLACK_BOT_TOKEN: 'xoxp-123-456' }, says: 'user token' },
  { name: 'SLACK_BOT_TOKEN', env: { ...SLACK_ENV, SLACK_BOT_TOKEN: APP_TOKEN }, says: 'belongs in SLACK_APP_TOKEN' },
  { name: 'SLACK_BOT_TOKEN', env: { ...SLACK_ENV, SLACK_BOT_TOKEN: `"${BOT_TOKEN}"` }, says: 'wrapped in quotes' },
  { name: 'SLACK_BOT_TOKEN', env: { ...SLACK_ENV, SLACK_BOT_TOKEN: 'xoxb-12 34' }, says: 'whitespace' },
  { name: 'SLACK_APP_TOKEN', env: { ...SLACK_ENV, SLACK_APP_TOKEN: BOT_TOKEN }, says: 'belongs in SLACK_BOT_TOKEN' },
  { name: 'SLACK_SIGNING_SECRET', env: { ...SLACK_ENV, SLACK_SIGNING_SECRET: 'abc' }, says: 'shorter than 8' },
  { name: 'SLACK_SIGNING_SECRET', env: { ...SLACK_ENV, SLACK_SIGNING_SECRET: "'abcdefgh12'" }, says: 'quotes' },
  { name: 'SLACK_CHANNEL', env: { ...SLACK_ENV, SLACK_CHANNEL: '#Alerts' }, says: 'lower case' },
  { name: 'SLACK_CHANNEL', env: { ...SLACK_ENV, SLACK_CHANNEL: 'team alerts' }, says: '"team alerts"' },
  { name: 'SLACK_CHANNEL', env: { ...SLACK_ENV, SLACK_CHANNEL: 'X12' }, says: 'neither a channel id' },
  { name: 'SLACK_API_URL', env: { ...SLACK_ENV, SLACK_API_URL: 'ftp://x/api/' }, says: 'not an http:// or https:// URL' },
  { name: 'SLACK_API_URL', env: { ...SLACK_ENV, SLACK_API_URL: '127.0.0.1:9000' }, says: '"127.0.0.1:9000"' },
  { name: 'REDIS_URL', env: { REDIS_URL: 'http://127.0.0.1:6379' }, says: 'not a redis://, rediss:// or redis+sentinel:// URL' },
  { name: 'REDIS_URL', env: { REDIS_URL: 'localhost:6379' }, says: 'not a redis://, rediss:// or redis+sentinel:// URL' },
  { name: 'REDIS_URL', env: { REDIS_URL: 'not a url' }, says: 'not a URL' },
  { name: 'REDIS_URL', env: { REDIS_URL: 'redis://127.0.0.1:6379/queue' }, says: 'not a database number' },
  { name: 'JOBWATCH_REDIS_PREFIX', env: { JOBWATCH_REDIS_PREFIX: 'job:watch' }, says: '"job:watch"' },
  { name: 'JOBWATCH_NAMESPACES', env: { JOBWATCH_NAMESPACES: 'payments,Billing' }, says: '"Billing" is not a namespace name' },
  { name: 'JOBWATCH_NAMESPACES', env: { JOBWATCH_NAMESPACES: ' , ' }, says: 'lists no namespace' },
  { name: 'JOBWATCH_ROLES', env: { JOBWATCH_ROLES: 'watcher,poster' }, says: 'unknown role "poster"' },
  { name: 'JOBWATCH_ROLES', env: { JOBWATCH_ROLES: ',' }, says: 'lists no role' },
  { name: 'JOBWATCH_CLUSTER_NAME', env: { JOBWATCH_CLUSTER_NAME: 'prod eu' }, says: '"prod eu"' },
  { name: 'JOBWATCH_CLUSTER_NAME', env: { JOBWATCH_CLUSTER_NAME: 'x'.repeat(64) }, says: 'up to 63' },
  { name: 'JOBWATCH_CLUSTER_NAME', env: { JOBWATCH_CLUSTER_NAME: '-prod' }, says: 'starts with a letter or digit' },
  { name: 'JOBWATCH_REDIS_PREFIX', env: { JOBWATCH_REDIS_PREFIX: '.jobwatch' }, says: 'starts with a letter or digit' },
  { name: 'LOG_LEVEL', env: { LOG_LEVEL: 'verbose' }, says: '"verbose", which is not a log level' },
  { name: 'JOBWATCH_DIGEST_MIN_JOBS', env: { JOBWATCH_DIGEST_MIN_JOBS: '1' }, says: 'every alert into a digest without the buttons' },
];

/** Every number, with its range as written in the message. */
const NUMBERS: { name: string; range: string; below?: string; above: string }[] = [
  { name: 'JOBWATCH_STUCK_AFTER_SECONDS', range: 'seconds from 1 to 86400', below: '0', above: '86401' },
  { name: 'JOBWATCH_CRONJOB_MISSED_RUNS', range: 'scheduled runs from 1 to 100', below: '0', above: '101' },
  { name: 'JOBWATCH_BOOTSTRAP_POST_MAX_AGE_SECONDS', range: 'seconds from 0 to 2592000', above: '2592001' },
  { name: 'JOBWATCH_STATE_TTL_SECONDS', range: 'seconds from 3600 to 7776000', below: '3599', above: '7776001' },
  { name: 'JOBWATCH_LOG_TAIL_LINES', range: 'lines from 1 to 10000', below: '0', above: '10001' },
  { name: 'JOBWATCH_LOG_LIMIT_BYTES', range: 'bytes from 1024 to 10485760', below: '1023', above: '10485761' },
  { name: 'JOBWATCH_HTTP_PORT', range: 'port number from 0 to 65535', above: '65536' },
  { name: 'JOBWATCH_WATCH_STALL_SECONDS', range: 'seconds from 10 to 3600', below: '9', above: '3601' },
];

describe('loadConfig rejects invalid values', () => {
  for (const { name, env, says } of INVALID) {
    it(`rejects ${name}=${JSON.stringify(env[name])}`, () => {
      const problems = problemsOf(env);
      expect(problems.map((problem) => problem.setting)).toEqual([name]);
      expect(problems[0]?.message).toContain(says);
      expect(problems[0]?.message.startsWith(name)).toBe(true);
      expect(problems[0]?.fix).not.toBe('');
    });
  }
});

describe('loadConfig number ranges', () => {
  for (const { name, range, below, above } of NUMBERS) {
    for (const value of ['5m', '1.5', '-1', '3e2', '0x10', above, ...(below === undefined ? [] : [below])]) {
      it(`rejects ${name}=${value} with the range`, () => {
        const problems = problemsOf({ [name]: value });
        expect(problems.map((problem) => problem.setting)).toEqual([name]);
        expect(problems[0]?.message).toBe(`${name} is "${value}", which is not a ${rangeNoun(range)}`);
      });
    }
  }
});

function rangeNoun(range: string): string {
  return range.startsWith('port') ? `TCP ${range}` : `whole number of ${range}`;
}

describe('loadConfig secrets', () => {
  const secrets = [
    { SLACK_BOT_TOKEN: 'xoxb-has a space-SECRETVALUE' },
    { SLACK_BOT_TOKEN: 'SECRETVALUE-without-prefix' },
    { SLACK_APP_TOKEN: 'xoxb-SECRETVALUE', SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_CHANNEL: '#a' },
    { SLACK_SIGNING_SECRET: '"SECRETVALUE"', SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_CHANNEL: '#a' },
  ];
  for (const env of secrets) {
    it(`never prints the value of ${Object.keys(env)[0]}`, () => {
      const err = configError(env);
      expect(err.message).not.toContain('SECRETVALUE');
      expect(formatConfigError(err)).not.toContain('SECRETVALUE');
      expect(formatConfigError(err)).toContain('set but malformed');
    });
  }
  it('masks the Redis password in messages', () => {
    const err = configError({ REDIS_URL: 'http://:SECRETVALUE@127.0.0.1:6379' });
    expect(formatConfigError(err)).not.toContain('SECRETVALUE');
    expect(formatConfigError(err)).toContain('http://:***@127.0.0.1:6379');
  });
});

describe('loadConfig Slack combinations', () => {
  it('rejects a bot token without a signing secret or app token', () => {
    const problems = problemsOf({ SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_CHANNEL: '#alerts' });
    expect(problems.map((problem) => problem.setting)).toEqual(['SLACK_SIGNING_SECRET']);
    expect(problems[0]?.message).toContain('cannot verify the button clicks and commands');
    expect(problems[0]?.fix).toContain('SLACK_APP_TOKEN');
  });
  it('rejects a bot token without a channel', () => {
    const problems = problemsOf({ SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET });
    expect(problems.map((problem) => problem.setting)).toEqual(['SLACK_CHANNEL']);
    expect(problems[0]?.message).toContain('no default channel');
  });
  it('rejects a signing secret without a bot token', () => {
    const problems = problemsOf({ SLACK_SIGNING_SECRET: SIGNING_SECRET });
    expect(problems.map((problem) => problem.setting)).toEqual(['SLACK_SIGNING_SECRET']);
    expect(problems[0]?.message).toContain('SLACK_BOT_TOKEN is not');
  });
  it('rejects an app token without a bot token', () => {
    const problems = problemsOf({ SLACK_APP_TOKEN: APP_TOKEN });
    expect(problems.map((problem) => problem.setting)).toEqual(['SLACK_APP_TOKEN']);
  });
  it('accepts a channel without a bot token', () => {
    expect(loadConfig({ SLACK_CHANNEL: '#alerts' }).slack).toEqual({ output: 'terminal', channel: '#alerts' });
  });
});

describe('loadConfig error report', () => {
  const err = configError({
    SLACK_BOT_TOKEN: BOT_TOKEN,
    JOBWATCH_HTTP_PORT: 'http',
    LOG_LEVEL: 'loud',
  });

  it('lists every problem at once', () => {
    expect(err.problems.map((problem) => problem.setting)).toEqual([
      'JOBWATCH_HTTP_PORT',
      'LOG_LEVEL',
      'SLACK_SIGNING_SECRET',
      'SLACK_CHANNEL',
    ]);
  });
  it('carries a stable code', () => {
    expect(err.code).toBe('CONFIG_ENV_INVALID');
  });
  it('counts the problems in its message', () => {
    expect(err.message).toMatch(/^4 problems in the environment; first: JOBWATCH_HTTP_PORT/);
  });
  it('renders each problem with its fix', () => {
    const lines = formatConfigError(err).split('\n');
    expect(lines[0]).toBe('jobwatch cannot start: 4 problems in the environment:');
    expect(lines[1]).toBe('  - JOBWATCH_HTTP_PORT is "http", which is not a TCP port number from 0 to 65535');
    expect(lines[2]).toBe('    Fix: use a free TCP port, or unset it to use 3000');
    expect(lines).toHaveLength(9);
  });
  it('renders other errors as their message', () => {
    expect(formatConfigError(new Error('boom'))).toBe('boom');
  });
});
