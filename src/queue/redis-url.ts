/**
 * The forms of `REDIS_URL`: one Redis server (`redis://`, `rediss://` for TLS), or a
 * primary found through Redis Sentinel:
 *
 *     redis+sentinel://[[user]:password@]host[:port][,host[:port]…]/MASTER_NAME
 *       [?db=N&sentinelUsername=…&sentinelPassword=…&tls=true]
 *
 * The user and password are those of the Redis primary and replicas. The hosts are
 * Sentinels (default port 26379), and MASTER_NAME is the name they monitor
 * (`sentinel monitor MASTER_NAME …`). Reserved characters in a password are percent-encoded.
 */

/** Port of a Sentinel when the URL gives none. */
export const DEFAULT_SENTINEL_PORT = 26379;

/** Scheme of the Sentinel form. */
export const SENTINEL_SCHEME = 'redis+sentinel:';

/** How to write each form, for messages that tell the operator what to fix. */
export const REDIS_URL_FORMS =
  'redis://[[user]:password@]host[:port][/db], rediss://… for TLS, or ' +
  'redis+sentinel://[[user]:password@]host[:port][,host[:port]…]/MASTER_NAME' +
  '[?db=N&sentinelPassword=…&tls=true]';

/** One Sentinel to ask for the primary. */
export interface SentinelAddress {
  host: string;
  port: number;
}

/** A Redis primary found through Sentinel, as a `redis+sentinel://` URL describes it. */
export interface SentinelEndpoint {
  kind: 'sentinel';
  /** Sentinels in the order of the URL, which ioredis tries in turn. */
  sentinels: SentinelAddress[];
  /** The master name the Sentinels monitor. */
  masterName: string;
  /** ACL user of the primary, absent for the `default` user. */
  username?: string;
  /** Password of the primary. */
  password?: string;
  /** ACL user of the Sentinels, from `sentinelUsername`. */
  sentinelUsername?: string;
  /** Password of the Sentinels, from `sentinelPassword`. */
  sentinelPassword?: string;
  /** Database number, from `db`. Default 0. */
  db: number;
  /** TLS to the Sentinels and to the primary, from `tls=true`. Default false. */
  tls: boolean;
}

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

const SENTINEL_PARAMETERS = ['db', 'sentinelUsername', 'sentinelPassword', 'tls'] as const;
type SentinelParameter = (typeof SENTINEL_PARAMETERS)[number];

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

/**
 * Parses the Sentinel form by hand: WHATWG URL parsing rejects a comma-separated host list
 * in the authority, because it reads everything after the first `:` as the port.
 */
function readSentinelUrl(value: string): SentinelEndpoint | string {
  if (value.includes('#')) return 'invalid: it contains a "#" fragment';
  const rest = value.slice(`${SENTINEL_SCHEME}//`.length);
  const queryAt = rest.indexOf('?');
  const beforeQuery = queryAt === -1 ? rest : rest.slice(0, queryAt);
  const query = queryAt === -1 ? '' : rest.slice(queryAt + 1);
  const pathAt = beforeQuery.indexOf('/');
  const authority = pathAt === -1 ? beforeQuery : beforeQuery.slice(0, pathAt);
  const path = pathAt === -1 ? '' : beforeQuery.slice(pathAt + 1);

  const userAt = authority.lastIndexOf('@');
  const credentials = readCredentials(userAt === -1 ? undefined : authority.slice(0, userAt));
  if (typeof credentials === 'string') return credentials;
  const sentinels = readSentinelHosts(authority.slice(userAt + 1));
  if (typeof sentinels === 'string') return sentinels;
  const masterName = readMasterName(path);
  if (masterName.problem !== undefined) return masterName.problem;
  const parameters = readParameters(query);
  if (typeof parameters === 'string') return parameters;
  return { kind: 'sentinel', sentinels, masterName: masterName.name, ...credentials, ...parameters };
}

type Credentials = Pick<SentinelEndpoint, 'username' | 'password'>;

function readCredentials(userInfo: string | undefined): Credentials | string {
  if (userInfo === undefined) return {};
  const colonAt = userInfo.indexOf(':');
  const user = decode(colonAt === -1 ? userInfo : userInfo.slice(0, colonAt));
  const password = colonAt === -1 ? '' : decode(userInfo.slice(colonAt + 1));
  if (user === undefined || password === undefined) {
    return 'invalid: its user name or password has a malformed %-escape';
  }
  return {
    ...(user === '' ? {} : { username: user }),
    ...(password === '' ? {} : { password }),
  };
}

function readSentinelHosts(list: string): SentinelAddress[] | string {
  if (list.trim() === '') return 'invalid: it names no Sentinel host';
  const sentinels: SentinelAddress[] = [];
  for (const item of list.split(',')) {
    const address = readAddress(item.trim());
    if (address === undefined) {
      return (
        `invalid: Sentinel address ${JSON.stringify(item)} is not host[:port] ` +
        'with a port from 1 to 65535'
      );
    }
    sentinels.push(address);
  }
  return sentinels;
}

/** Reads `host`, `host:port`, `[v6]` or `[v6]:port`. */
function readAddress(item: string): SentinelAddress | undefined {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([^\s:[\]/?#@]+))(?::(\d{1,5}))?$/.exec(item);
  if (match === null) return undefined;
  const host = match[1] ?? match[2];
  const port = match[3] === undefined ? DEFAULT_SENTINEL_PORT : Number(match[3]);
  if (host === undefined || port < 1 || port > 65_535) return undefined;
  return { host, port };
}

function readMasterName(path: string): { name: string; problem?: undefined } | { problem: string } {
  const name = decode(path);
  if (path === '' || name === undefined || name === '') {
    return { problem: 'invalid: it names no master name after the hosts, as in …:26379/mymaster' };
  }
  if (/[\s/]/.test(name)) {
    return { problem: `invalid: master name ${JSON.stringify(name)} contains a space or "/"` };
  }
  return { name };
}

type Parameters = Pick<
  SentinelEndpoint,
  'db' | 'tls' | 'sentinelUsername' | 'sentinelPassword'
>;

function readParameters(query: string): Parameters | string {
  const params = new URLSearchParams(query);
  const result: Parameters = { db: 0, tls: false };
  const seen = new Set<string>();
  for (const [key, value] of params) {
    if (!isSentinelParameter(key)) {
      return (
        `invalid: it has the unknown parameter ${JSON.stringify(key)} ` +
        `(known: ${SENTINEL_PARAMETERS.join(', ')})`
      );
    }
    if (seen.has(key)) return `invalid: it sets the parameter ${key} twice`;
    seen.add(key);
    const problem = applyParameter(result, key, value);
    if (problem !== undefined) return problem;
  }
  return result;
}

function isSentinelParameter(key: string): key is SentinelParameter {
  return (SENTINEL_PARAMETERS as readonly string[]).includes(key);
}

function applyParameter(
  result: Parameters,
  key: SentinelParameter,
  value: string,
): string | undefined {
  switch (key) {
    case 'db':
      if (!/^\d{1,2}$/.test(value)) {
        return `invalid: db is ${JSON.stringify(value)}, not a database number from 0 to 99`;
      }
      result.db = Number(value);
      return undefined;
    case 'tls':
      if (value !== 'true' && value !== 'false') {
        return `invalid: tls is ${JSON.stringify(value)}; use tls=true or tls=false`;
      }
      result.tls = value === 'true';
      return undefined;
    case 'sentinelUsername':
    case 'sentinelPassword':
      // An empty value means none, as with an unset parameter.
      if (value !== '') result[key] = value;
      return undefined;
  }
}

/** Decodes %-escapes, or returns undefined when one is malformed. */
function decode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}
