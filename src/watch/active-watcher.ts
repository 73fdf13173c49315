import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { LeaderElectionConfig } from '../config/env.ts';
import { LeaderElector, type StopReason } from '../kube/leader-elector.ts';
import { createLeaseClient } from '../kube/lease-client.ts';
import type { WatcherRole } from './run-watcher.ts';

/** Path where Kubernetes mounts the pod's namespace with its service account token. */
export const SERVICE_ACCOUNT_NAMESPACE_FILE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

/** The watcher of this process, which runs only while the process leads (when elections are on). */
export interface ActiveWatcher {
  /** The running watcher role, or `undefined` while this process is a follower. */
  current(): WatcherRole | undefined;
  /** Whether this process leads; `undefined` when leader election is off. */
  leading(): boolean | undefined;
  /** True once the running watcher has synced; false while none runs. */
  synced(): boolean;
  /**
   * Whether this process serves as a standby: its last Lease request succeeded and
   * another replica holds the Lease. With the Lease free this process is about to
   * lead, so it is ready only once its own watches have synced.
   */
  standbyReady(): boolean;
  /** Stops the watches first and then releases the Lease, so two replicas never overlap. */
  stop(): Promise<void>;
}

/** Starts the watcher at once, for a single replica without leader election. */
export async function startUnelectedWatcher(start: () => Promise<WatcherRole>): Promise<ActiveWatcher> {
  const role = await start();
  return {
    current: () => role,
    leading: () => undefined,
    synced: () => role.synced(),
    standbyReady: () => true,
    stop: () => role.stop(),
  };
}

/** The callbacks {@link startElectedWatcher} gives the elector it builds. */
export interface LeadershipCallbacks {
  onStartedLeading(): void;
  onStoppedLeading(reason: StopReason): void;
}

/**
 * Runs the watcher only while this process holds the Lease: it starts on each gain and
 * stops at once on each loss. Changes are applied one after another, so a loss that
 * arrives while the watcher is still starting stops it right after.
 */
export function startElectedWatcher(
  createElector: (callbacks: LeadershipCallbacks) => LeaderElector,
  start: () => Promise<WatcherRole>,
  logger: Logger,
): ActiveWatcher {
  let role: WatcherRole | undefined;
  let stopping = false;
  let changes: Promise<void> = Promise.resolve();
  const enqueue = (change: () => Promise<void>): void => {
    changes = changes.then(change).catch((err: unknown) => logger.error({ err }, 'watcher failed to start or stop on a leadership change'));
  };
  const stopRole = async (): Promise<void> => {
    const running = role;
    role = undefined;
    await running?.stop();
  };
  const elector = createElector({
    onStartedLeading: () =>
      enqueue(async () => {
        if (stopping || !elector.leading || role !== undefined) return;
        role = await start();
      }),
    onStoppedLeading: () => enqueue(stopRole),
  });
  elector.start();
  return {
    current: () => role,
    leading: () => elector.leading,
    synced: () => role?.synced() ?? false,
    standbyReady: () => elector.reachable && (elector.observedHolder ?? '') !== '',
    async stop() {
      stopping = true;
      enqueue(stopRole);
      await changes;
      await elector.stop();
    },
  };
}

/**
 * Returns this replica's `holderIdentity`: the pod name (`HOSTNAME`) and a random suffix,
 * so a restarted container with the same name never mistakes its predecessor's term for its own.
 */
export function electionIdentity(hostname: string | undefined, suffix = randomBytes(4).toString('hex')): string {
  return `${hostname || 'jobwatch'}_${suffix}`;
}

/**
 * Returns the Lease's namespace: the configured one, else the pod's own namespace from its
 * service account mount, else `default` (outside a cluster).
 */
export function leaseNamespace(configured: string | undefined, namespaceFile = SERVICE_ACCOUNT_NAMESPACE_FILE): string {
  if (configured !== undefined) return configured;
  try {
    const namespace = readFileSync(namespaceFile, 'utf8').trim();
    if (namespace !== '') return namespace;
  } catch (err) {
    // Outside a cluster the file does not exist; any other read failure is a real problem.
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  return 'default';
}

/** Returns the Lease name for a cluster name, as a DNS subdomain: `jobwatch-watcher-<cluster>`. */
export function leaseName(clusterName: string): string {
  const cleaned = clusterName.toLowerCase().replace(/[^a-z0-9.-]/g, '-').replace(/[^a-z0-9]+$/, '');
  return `jobwatch-watcher-${cleaned || 'default'}`;
}

/** Options of {@link startActiveWatcher}. */
export interface ActiveWatcherOptions {
  election: LeaderElectionConfig;
  clusterName: string;
  kubeConfig: KubeConfig;
  logger: Logger;
  /** Starts the watcher role; `userAgent` names this replica on every watch request. */
  start(userAgent: string): Promise<WatcherRole>;
  /** The pod name. Default `process.env.HOSTNAME`. */
  hostname?: string | undefined;
}

/**
 * Starts the watcher of this process: under a Lease when leader election is on, else at
 * once. Requests carry `User-Agent: jobwatch/<identity>`, so the API server's audit log
 * and the simulated cluster's watch list show which replica watches.
 */
export async function startActiveWatcher(options: ActiveWatcherOptions): Promise<ActiveWatcher> {
  const { election, logger } = options;
  const identity = electionIdentity(options.hostname ?? process.env['HOSTNAME']);
  const userAgent = `jobwatch/${identity}`;
  if (!election.enabled) return startUnelectedWatcher(() => options.start(userAgent));
  const leases = createLeaseClient(options.kubeConfig, {
    namespace: leaseNamespace(election.namespace),
    name: leaseName(options.clusterName),
    userAgent,
  });
  const createElector = (callbacks: LeadershipCallbacks) =>
    new LeaderElector({
      leases,
      identity,
      logger: logger.child({ component: 'leader-election' }),
      leaseDurationMs: election.leaseDurationSeconds * 1000,
      renewDeadlineMs: election.renewDeadlineSeconds * 1000,
      retryPeriodMs: election.retryPeriodSeconds * 1000,
      ...callbacks,
    });
  return Promise.resolve(startElectedWatcher(createElector, () => options.start(userAgent), logger));
}
