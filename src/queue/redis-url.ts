import {
  readSentinelUrl,
  SENTINEL_SCHEME,
  type SentinelAddress,
  type SentinelEndpoint,
} from './sentinel-url.ts';

/**
 * The forms of `REDIS_URL`: one Redis server (`redis://`, `rediss://` for TLS), or a
 * primary found through Redis Sentinel:
 *
 *     redis+sentinel://[[user]:password@]host[:port][,host[:port]…]/MASTER_NAME
 *       [?db=N&sentinelUsername=…&sentinelPassword=…&tls=true]
 *
 * `src/queue/sentinel-url.ts` parses the Sentinel form and describes its parts.
 */

/** How to write each form, for messages that tell the operator what to fix. */
export const REDIS_URL_FORMS =
  'redis://[[user]:password@]host[:port][/db], rediss://… for TLS, or ' +
  'redis+sentinel://[[user]:password@]host[:port][,host[:port]…]/MASTER_NAME' +
  '[?db=N&sentinelPassword=…&tls=true]';

/** One Redis server, reached by its `redis://` or `rediss://` URL. */
export interface StandaloneEndpoint {
  kind: 'standalone';
  url: string;
}

/** Location of jobwatch's Redis, parsed from `REDIS_URL`. */
export type RedisEndpoint = StandaloneEndpoint | SentinelEndpoint;

/** A `REDIS_URL` value that names no Redis jobwatch can reach. Permanent: fix the setting. */
export class RedisUrlError extends Error {
  override readonly name = 'RedisUrlError';
  readonly code = 'REDIS_URL_INVALID';
}

/**
 * Parses a Redis URL of any of the forms in {@link REDIS_URL_FORMS}.
 *
 * @throws RedisUrlError naming the value, with passwords masked, and the forms to use.
 */
export function parseRedisUrl(value: string): RedisEndpoint {
  const parsed = readRedisUrl(value);
  if (typeof parsed === 'string') {
    throw new RedisUrlError(
      `Redis URL ${JSON.stringify(redactRedisUrl(value))} is ${parsed}; ` +
        `write it as ${REDIS_URL_FORMS}`,
    );
  }
  return parsed;
}

/**
 * Returns why a value is no usable Redis URL, as a phrase that follows "which is"
 * ("not a URL", "invalid: …"), or undefined when it is one.
 */
export function redisUrlProblem(value: string): string | undefined {
  const parsed = readRedisUrl(value);
  return typeof parsed === 'string' ? parsed : undefined;
}

/**
 * Replaces passwords in a URL-like string with `***`: the one before `@`, and the values
 * of query parameters whose name ends in "password". Works on values that do not parse.
 */
export function redactRedisUrl(value: string): string {
  return value
    .replace(/(\/\/[^/]*?:)[^/]*@/, '$1***@')
    .replace(/([?&][^=&#]*password=)[^&#]*/gi, '$1***');
}

/**
 * Returns where a Redis URL points, without user names or passwords, for log lines:
 * `host:port`, or `sentinel MASTER_NAME via host:port,host:port`.
 */
export function redisTarget(url: string): string {
  const parsed = readRedisUrl(url);
  if (typeof parsed === 'string') return 'unparsable URL';
  if (parsed.kind === 'sentinel') {
    const hosts = parsed.sentinels.map((s) => formatAddress(s)).join(',');
    return `sentinel ${parsed.masterName} via ${hosts}`;
  }
  const standalone = new URL(parsed.url);
  return `${standalone.hostname}:${standalone.port || '6379'}`;
}

function formatAddress({ host, port }: SentinelAddress): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** Parses a Redis URL, or returns the problem phrase. */
function readRedisUrl(value: string): RedisEndpoint | string {
  if (value.toLowerCase().startsWith(`${SENTINEL_SCHEME}//`)) return readSentinelUrl(value);
  if (!URL.canParse(value)) return 'not a URL';
  const url = new URL(value);
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    return 'not a redis://, rediss:// or redis+sentinel:// URL';
  }
  if (url.hostname === '') return 'missing the host';
  if (!/^(\/\d{0,2})?$/.test(url.pathname)) return 'invalid: its path is not a database number';
  return { kind: 'standalone', url: value };
}
