import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/env.ts';
import { redactConfig } from '../../src/config/redact-config.ts';

const BOT_TOKEN = 'xoxb-1111-2222-abcdefghijkl';
const APP_TOKEN = 'xapp-1-A111-2222-abcdef';
const SIGNING_SECRET = '8f742231b10e8888abcd99yyyzzz85a5';

/** A valid environment that posts to Slack over HTTP. */
const SLACK_ENV = {
  SLACK_BOT_TOKEN: BOT_TOKEN,
  SLACK_SIGNING_SECRET: SIGNING_SECRET,
  SLACK_CHANNEL: '#alerts',
};

describe('loadConfig defaults', () => {
  const config = loadConfig({});

  it('prints to the terminal without a bot token', () => {
    expect(config.slack).toEqual({ output: 'terminal' });
  });
  it('uses Redis on loopback with the jobwatch prefix', () => {
    expect(config.redis).toEqual({ url: 'redis://127.0.0.1:6379', prefix: 'jobwatch' });
  });
  it('watches all namespaces through the default kubeconfig', () => {
    expect(config.kube).toEqual({ namespaces: 'all' });
  });
  it('runs all three roles', () => {
    expect(config.roles).toEqual(['watcher', 'worker', 'notifier']);
  });
  it('has no routing file', () => {
    expect(config.routesFile).toBeUndefined();
  });
  it('sets the documented numbers', () => {
    expect(config.stuckAfterSeconds).toBe(300);
    expect(config.cronJobMissedRuns).toBe(2);
    expect(config.bootstrapPostMaxAgeSeconds).toBe(0);
    expect(config.stateTtlSeconds).toBe(1_209_600);
    expect(config.logTailLines).toBe(200);
    expect(config.logLimitBytes).toBe(262_144);
    expect(config.httpPort).toBe(3000);
    expect(config.watchStallSeconds).toBe(120);
  });
  it('sets the cluster name and log level', () => {
    expect(config.clusterName).toBe('default');
    expect(config.logLevel).toBe('info');
  });
  it('treats empty and blank values as unset', () => {
    expect(loadConfig({ JOBWATCH_HTTP_PORT: '', REDIS_URL: '   ' })).toEqual(config);
  });
});

describe('loadConfig values', () => {
  it('posts over HTTP with a bot token and signing secret', () => {
    expect(loadConfig(SLACK_ENV).slack).toEqual({
      output: 'slack',
      receiver: 'http',
      botToken: BOT_TOKEN,
      signingSecret: SIGNING_SECRET,
      channel: '#alerts',
    });
  });
  it('uses Socket Mode when an app token is set', () => {
    const env = { SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_APP_TOKEN: APP_TOKEN, SLACK_CHANNEL: 'C0123456' };
    const slack = loadConfig(env).slack;
    expect(slack).toMatchObject({ output: 'slack', receiver: 'socket', appToken: APP_TOKEN });
  });
  it('adds a trailing slash to SLACK_API_URL', () => {
    const config = loadConfig({ ...SLACK_ENV, SLACK_API_URL: 'http://127.0.0.1:9000/api' });
    expect(config.slack).toMatchObject({ apiUrl: 'http://127.0.0.1:9000/api/' });
  });
  it('keeps a trailing slash on SLACK_API_URL', () => {
    const config = loadConfig({ ...SLACK_ENV, SLACK_API_URL: 'https://slack.example/api/' });
    expect(config.slack).toMatchObject({ apiUrl: 'https://slack.example/api/' });
  });
  it('trims whitespace around values', () => {
    const config = loadConfig({ ...SLACK_ENV, SLACK_BOT_TOKEN: ` ${BOT_TOKEN}\n` });
    expect(config.slack).toMatchObject({ botToken: BOT_TOKEN });
  });
  it('accepts a rediss URL with a password and database', () => {
    const url = 'rediss://:s3cret@redis.internal:6380/2';
    expect(loadConfig({ REDIS_URL: url }).redis.url).toBe(url);
  });
  it('splits, trims and deduplicates namespaces', () => {
    const config = loadConfig({ JOBWATCH_NAMESPACES: 'payments, billing,,payments' });
    expect(config.kube.namespaces).toEqual(['payments', 'billing']);
  });
  it('passes KUBECONFIG and the context through', () => {
    const config = loadConfig({ KUBECONFIG: '/a:/b', JOBWATCH_CONTEXT: 'prod' });
    expect(config.kube).toEqual({ kubeconfig: '/a:/b', context: 'prod', namespaces: 'all' });
  });
  it('keeps roles in pipeline order', () => {
    expect(loadConfig({ JOBWATCH_ROLES: 'notifier, Watcher' }).roles).toEqual([
      'watcher',
      'notifier',
    ]);
  });
  it('reads all in a role list as every role', () => {
    expect(loadConfig({ JOBWATCH_ROLES: 'worker,all' }).roles).toHaveLength(3);
  });
  it('matches the log level without regard to case', () => {
    expect(loadConfig({ LOG_LEVEL: 'DEBUG' }).logLevel).toBe('debug');
  });
  it('accepts numbers at both ends of their ranges', () => {
    expect(loadConfig({ JOBWATCH_HTTP_PORT: '0' }).httpPort).toBe(0);
    expect(loadConfig({ JOBWATCH_HTTP_PORT: '65535' }).httpPort).toBe(65_535);
  });
  it('passes the routing file path through', () => {
    expect(loadConfig({ JOBWATCH_ROUTES_FILE: '/etc/jobwatch/routes.yaml' }).routesFile).toBe(
      '/etc/jobwatch/routes.yaml',
    );
  });
});

describe('redactConfig', () => {
  const config = loadConfig({
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_APP_TOKEN: APP_TOKEN,
    SLACK_CHANNEL: '#alerts',
    REDIS_URL: 'redis://jobwatch:s3cret@redis.internal:6379',
  });
  const text = JSON.stringify(redactConfig(config));

  it('hides the Slack tokens and signing secret', () => {
    expect(text).not.toContain(BOT_TOKEN);
    expect(text).not.toContain(APP_TOKEN);
    expect(text).not.toContain(SIGNING_SECRET);
  });
  it('hides the Redis password but keeps the host', () => {
    expect(text).not.toContain('s3cret');
    expect(text).toContain('redis://jobwatch:***@redis.internal:6379');
  });
  it('leaves the original config unchanged', () => {
    expect(config.slack).toMatchObject({ botToken: BOT_TOKEN });
  });
});
