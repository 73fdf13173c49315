import { describe, expect, it } from 'vitest';
import { formatConfigError } from '../../src/config/config-error.ts';
import { loadConfig } from '../../src/config/env.ts';
import { redactConfig } from '../../src/config/redact-config.ts';
import {
  parseRedisUrl,
  redactRedisUrl,
  redisTarget,
  redisUrlProblem,
  RedisUrlError,
} from '../../src/queue/redis-url.ts';

describe('parseRedisUrl with one server', () => {
  it('keeps a redis URL as written', () => {
    expect(parseRedisUrl('redis://:pw@redis.internal:6379/2')).toEqual({
      kind: 'standalone',
      url: 'redis://:pw@redis.internal:6379/2',
    });
  });

  it('keeps a rediss URL for TLS', () => {
    expect(parseRedisUrl('rediss://redis.internal:6380')).toEqual({
      kind: 'standalone',
      url: 'rediss://redis.internal:6380',
    });
  });
});

describe('parseRedisUrl with Sentinel', () => {
  it('reads hosts, ports, master name and password', () => {
    const endpoint = parseRedisUrl('redis+sentinel://:pw@s1:26380,s2/mymaster');
    expect(endpoint).toEqual({
      kind: 'sentinel',
      sentinels: [
        { host: 's1', port: 26380 },
        { host: 's2', port: 26379 },
      ],
      masterName: 'mymaster',
      password: 'pw',
      db: 0,
      tls: false,
    });
  });

  it('reads the user, db, tls and Sentinel credentials', () => {
    const url =
      'redis+sentinel://app:p%40ss@10.0.0.1:26379/jobs?db=3&tls=true' +
      '&sentinelUsername=watch&sentinelPassword=s%26cret';
    expect(parseRedisUrl(url)).toMatchObject({
      username: 'app',
      password: 'p@ss',
      db: 3,
      tls: true,
      sentinelUsername: 'watch',
      sentinelPassword: 's&cret',
    });
  });

  it('reads bracketed IPv6 Sentinel addresses', () => {
    const endpoint = parseRedisUrl('redis+sentinel://[::1]:26379,[fd00::2]/mymaster');
    expect(endpoint.kind).toBe('sentinel');
    expect(endpoint.kind === 'sentinel' ? endpoint.sentinels : []).toEqual([
      { host: '::1', port: 26379 },
      { host: 'fd00::2', port: 26379 },
    ]);
  });

  it('accepts a URL without credentials or parameters', () => {
    const endpoint = parseRedisUrl('redis+sentinel://sentinel.redis:26379/mymaster');
    expect(endpoint).not.toHaveProperty('password');
    expect(endpoint).not.toHaveProperty('username');
    expect(endpoint).toMatchObject({ db: 0, tls: false });
  });
});

describe('redisUrlProblem', () => {
  const cases: { value: string; problem: string }[] = [
    { value: 'not a url', problem: 'not a URL' },
    { value: 'http://127.0.0.1:6379', problem: 'not a redis://, rediss:// or redis+sentinel://' },
    { value: 'redis://127.0.0.1:6379/queue', problem: 'not a database number' },
    { value: 'redis+sentinel:///mymaster', problem: 'names no Sentinel host' },
    { value: 'redis+sentinel://s1:26379', problem: 'names no master name' },
    { value: 'redis+sentinel://s1:26379/', problem: 'names no master name' },
    { value: 'redis+sentinel://s1:26379/a/b', problem: 'contains a space or "/"' },
    { value: 'redis+sentinel://s1:99999/m', problem: '"s1:99999" is not host[:port]' },
    { value: 'redis+sentinel://s1:port/m', problem: '"s1:port" is not host[:port]' },
    { value: 'redis+sentinel://s1,,s2/m', problem: '"" is not host[:port]' },
    { value: 'redis+sentinel://s1/m?db=x', problem: 'db is "x", not a database number' },
    { value: 'redis+sentinel://s1/m?db=100', problem: 'db is "100"' },
    { value: 'redis+sentinel://s1/m?tls=yes', problem: 'use tls=true or tls=false' },
    { value: 'redis+sentinel://s1/m?role=slave', problem: 'unknown parameter "role"' },
    { value: 'redis+sentinel://s1/m?db=1&db=2', problem: 'sets the parameter db twice' },
    { value: 'redis+sentinel://s1/m#frag', problem: 'contains a "#" fragment' },
    { value: 'redis+sentinel://:%zz@s1/m', problem: 'malformed %-escape' },
  ];
  for (const { value, problem } of cases) {
    it(`rejects ${value}`, () => {
      expect(redisUrlProblem(value)).toContain(problem);
    });
  }

  it('accepts each form', () => {
    expect(redisUrlProblem('redis://127.0.0.1:6379')).toBeUndefined();
    expect(redisUrlProblem('rediss://:pw@redis.internal:6380/1')).toBeUndefined();
    expect(redisUrlProblem('redis+sentinel://:pw@s1,s2:26380/mymaster?db=1')).toBeUndefined();
  });
});

describe('parseRedisUrl errors', () => {
  it('throws a RedisUrlError with the forms and a masked password', () => {
    const parse = (): unknown => parseRedisUrl('redis+sentinel://:TOPSECRET@s1/m?tls=on');
    expect(parse).toThrow(RedisUrlError);
    expect(parse).toThrow(/tls is "on"/);
    expect(parse).toThrow(/redis\+sentinel:\/\/\[\[user\]:password@\]host/);
    expect(parse).not.toThrow(/TOPSECRET/);
  });
});

describe('redactRedisUrl', () => {
  it('masks the password before @', () => {
    expect(redactRedisUrl('redis+sentinel://app:pw@s1,s2/m')).toBe('redis+sentinel://app:***@s1,s2/m');
  });

  it('masks the sentinelPassword parameter', () => {
    expect(redactRedisUrl('redis+sentinel://s1/m?sentinelPassword=pw&db=1')).toBe(
      'redis+sentinel://s1/m?sentinelPassword=***&db=1',
    );
  });

  it('masks a password that contains @', () => {
    expect(redactRedisUrl('redis://:p@ss@host:6379')).toBe('redis://:***@host:6379');
  });
});

describe('redisTarget', () => {
  it('names the master and the Sentinels without credentials', () => {
    const target = redisTarget('redis+sentinel://u:pw@s1:26380,[::1]/mymaster?sentinelPassword=x');
    expect(target).toBe('sentinel mymaster via s1:26380,[::1]:26379');
  });
});

/** Returns the printed configuration error for `env`; fails when the config loads. */
function configErrorText(env: NodeJS.ProcessEnv): string {
  try {
    loadConfig(env);
  } catch (err) {
    return formatConfigError(err);
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('REDIS_URL in the configuration', () => {
  it('accepts a Sentinel URL as written', () => {
    const url = 'redis+sentinel://:pw@s1:26379,s2:26379/mymaster?db=2';
    expect(loadConfig({ REDIS_URL: url }).redis.url).toBe(url);
  });

  it('names the value with its password masked, and the fix', () => {
    const text = configErrorText({ REDIS_URL: 'redis+sentinel://:TOPSECRET@s1' });
    expect(text).toContain('REDIS_URL is "redis+sentinel://:***@s1"');
    expect(text).toContain('names no master name');
    expect(text).toContain('/MASTER_NAME');
    expect(text).not.toContain('TOPSECRET');
  });

  it('masks both passwords in the logged configuration', () => {
    const url = 'redis+sentinel://:PRIMARYPW@s1/m?sentinelPassword=SENTINELPW';
    const text = JSON.stringify(redactConfig(loadConfig({ REDIS_URL: url })));
    expect(text).not.toContain('PRIMARYPW');
    expect(text).not.toContain('SENTINELPW');
    expect(text).toContain('redis+sentinel://:***@s1/m?sentinelPassword=***');
  });
});
