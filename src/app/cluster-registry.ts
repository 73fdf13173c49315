import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../config/env.ts';
import { ClusterRegistry, startRegistration } from '../queue/cluster-registry.ts';
import { packageVersion } from './package-version.ts';

/** Refresh period and TTL of a cluster side's registration; defaults in `src/queue/cluster-registry.ts`. */
export interface RegistrationTiming {
  /** Refresh period in milliseconds. Default 30 000. */
  intervalMs?: number;
  /** Liveness after each refresh, in seconds. Default 90. */
  ttlSeconds?: number;
}

/** The roles that make a process part of a cluster side. */
const CLUSTER_ROLES = ['watcher', 'worker'];

/** Opens the registry of cluster sides under jobwatch's key prefix. */
export function createClusterRegistry(redis: Redis, config: Config): ClusterRegistry {
  return new ClusterRegistry(redis, { prefix: config.redis.prefix, keepSeconds: config.stateTtlSeconds });
}

/**
 * Registers this process's cluster side, when it runs the watcher or the worker role, and
 * keeps the registration fresh. Returns undefined for a process with neither role, such as
 * the Slack-facing app, which registers nothing.
 */
export function startClusterRegistration(
  registry: ClusterRegistry,
  config: Config,
  logger: Logger,
  timing: RegistrationTiming = {},
): { registered: Promise<void>; stop: () => void } | undefined {
  const roles = config.roles.filter((role) => CLUSTER_ROLES.includes(role));
  if (roles.length === 0) return undefined;
  const namespaces = config.kube.namespaces === 'all' ? 'all' : [...config.kube.namespaces];
  return startRegistration(
    registry,
    { name: config.clusterName, version: jobwatchVersion(), namespaces, roles },
    { logger: logger.child({ component: 'cluster-registry' }), ...timing },
  );
}

/** Reads jobwatch's version from its package.json, or `unknown` when the file is not there. */
function jobwatchVersion(): string {
  try {
    return packageVersion();
  } catch {
    // An image built without package.json still runs; the registration then shows `unknown`.
    return 'unknown';
  }
}
