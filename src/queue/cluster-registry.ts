import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

/** Record a cluster side stores about itself, so the Slack-facing app can list the clusters. */
export interface ClusterRegistration {
  /** `JOBWATCH_CLUSTER_NAME` of the cluster side. */
  name: string;
  /** The jobwatch version the cluster side runs. */
  version: string;
  /** `JOBWATCH_NAMESPACES`, or `all` when the cluster side watches every namespace. */
  namespaces: readonly string[] | 'all';
  /** The cluster roles the process runs: `watcher`, `worker` or both. */
  roles: readonly string[];
  /** When the cluster side last refreshed its registration, ISO 8601. */
  lastSeenAt: string;
}

/** A registration with whether its time to live still runs. */
export interface ClusterStatus extends ClusterRegistration {
  /** False once the cluster side missed refreshes for longer than the registration's TTL. */
  live: boolean;
}

/** How often a cluster side refreshes its registration, in milliseconds. */
export const REGISTRATION_INTERVAL_MS = 30_000;

/** How long a registration counts as live after a refresh, in seconds: three missed refreshes. */
export const REGISTRATION_TTL_SECONDS = 90;

/**
 * The registrations of cluster sides in Redis. Each cluster has a liveness key whose TTL
 * Redis counts, so a cluster side that stops or loses Redis stops being live without
 * anyone deleting anything, independent of the hosts' clocks. The last registration of every
 * cluster stays in one hash for `keepSeconds`, so the app can still show when it was seen.
 */
export class ClusterRegistry {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #keepSeconds: number;

  /**
   * @param options.keepSeconds - How long a cluster that stopped refreshing stays listed,
   *   in seconds; jobwatch passes `JOBWATCH_STATE_TTL_SECONDS`.
   */
  constructor(redis: Redis, options: { prefix: string; keepSeconds: number }) {
    this.#redis = redis;
    this.#prefix = options.prefix;
    this.#keepSeconds = options.keepSeconds;
  }

  /** Stores a registration and makes it live for `ttlSeconds`. */
  async register(registration: ClusterRegistration, ttlSeconds = REGISTRATION_TTL_SECONDS): Promise<void> {
    const hash = this.#hashKey();
    await this.#redis
      .multi()
      .set(this.#aliveKey(registration.name), registration.lastSeenAt, 'EX', ttlSeconds)
      .hset(hash, registration.name, JSON.stringify(registration))
      .expire(hash, this.#keepSeconds)
      .exec();
  }

  /** Lists every cluster registered within `keepSeconds`, sorted by name. */
  async list(): Promise<ClusterStatus[]> {
    const stored = await this.#redis.hgetall(this.#hashKey());
    const registrations = Object.values(stored).map((raw) => JSON.parse(raw) as ClusterRegistration);
    registrations.sort((a, b) => a.name.localeCompare(b.name));
    if (registrations.length === 0) return [];
    const pipeline = this.#redis.pipeline();
    for (const registration of registrations) pipeline.exists(this.#aliveKey(registration.name));
    const alive = (await pipeline.exec()) ?? [];
    return registrations.map((registration, i) => ({ ...registration, live: alive[i]?.[1] === 1 }));
  }

  #hashKey(): string {
    return `${this.#prefix}:clusters`;
  }

  #aliveKey(name: string): string {
    return `${this.#prefix}:cluster-alive:${name}`;
  }
}

/** Settings of {@link startRegistration}. */
export interface RegistrationOptions {
  /** Refresh period in milliseconds. Default {@link REGISTRATION_INTERVAL_MS}. */
  intervalMs?: number;
  /** Liveness after each refresh, in seconds. Default {@link REGISTRATION_TTL_SECONDS}. */
  ttlSeconds?: number;
  logger: Logger;
  /** Current time; injectable for tests. Default `new Date()`. */
  clock?: () => Date;
}

/**
 * Registers a cluster side now and refreshes the registration every `intervalMs` until
 * `stop`. A failed refresh is logged and tried again at the next period, so the
 * registration lapses on its own only if Redis stays away for longer than its TTL.
 * Stopping leaves the registration to expire, because other replicas of the same
 * cluster side may still be running.
 */
export function startRegistration(
  registry: ClusterRegistry,
  registration: Omit<ClusterRegistration, 'lastSeenAt'>,
  options: RegistrationOptions,
): { registered: Promise<void>; stop: () => void } {
  const ttlSeconds = options.ttlSeconds ?? REGISTRATION_TTL_SECONDS;
  const clock = options.clock ?? (() => new Date());
  const log = options.logger.child({ cluster: registration.name });
  let failures = 0;
  const refresh = async (): Promise<void> => {
    try {
      await registry.register({ ...registration, lastSeenAt: clock().toISOString() }, ttlSeconds);
      if (failures > 0) log.info({ failures }, 'cluster registration refreshed again');
      failures = 0;
    } catch (err) {
      failures += 1;
      // While Redis is down every refresh fails; log the 1st, 2nd, 4th, 8th… failure.
      if ((failures & (failures - 1)) === 0) log.warn({ err, failures }, 'cluster registration refresh failed');
    }
  };
  const registered = refresh();
  const timer = setInterval(() => void refresh(), options.intervalMs ?? REGISTRATION_INTERVAL_MS);
  timer.unref();
  return {
    registered,
    stop: () => clearInterval(timer),
  };
}
