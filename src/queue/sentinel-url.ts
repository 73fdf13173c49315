/**
 * The Sentinel form of `REDIS_URL`, parsed by hand:
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

const SENTINEL_PARAMETERS = ['db', 'sentinelUsername', 'sentinelPassword', 'tls'] as const;
type SentinelParameter = (typeof SENTINEL_PARAMETERS)[number];

/**
 * Parses a `redis+sentinel://` URL, or returns why it is invalid as a phrase that follows
 * "which is". It is parsed by hand because WHATWG URL parsing rejects a comma-separated
 * host list in the authority: it reads everything after the first `:` as the port.
 */
export function readSentinelUrl(value: string): SentinelEndpoint | string {
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
