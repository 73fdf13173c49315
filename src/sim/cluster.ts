import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { RequestAuthorizer, type Authorizer } from './authorization.ts';
import { Deleter } from './deletion.ts';
import { SimJobController } from './job-controller.ts';
import type { OutcomeChooser } from './job-kubelet.ts';
import { apiGroup, apiGroupList, apiResourceList, coreVersions, versionInfo } from './discovery.ts';
import { SimFaults, type WatchRegistry } from './faults.ts';
import { sendJson, sendStatus } from './http-io.ts';
import { kubeconfigYaml, writeKubeconfig } from './kubeconfig.ts';
import { ObjectStore } from './object-store.ts';
import { LogStore } from './pod-logs.ts';
import type { ResourceContext } from './resource-context.ts';
import { handleResource } from './resource-handlers.ts';
import { parseRoute, type Route } from './routes.ts';
import { failureStatus, pathNotFound, StatusError, unauthorized } from './status.ts';
import { encodeListFor, encodeObjectFor } from './table.ts';

/** Options of {@link startSimCluster}. */
export interface SimClusterOptions {
  /** TCP port on 127.0.0.1. Default 0, a free port. */
  port?: number;
  /** Bearer token the kubeconfig carries; a request with another token gets 401. Default: random. */
  token?: string;
  /** Changes kept for watch resumption. Default 1000. */
  historyLimit?: number;
  /** Time between BOOKMARK events on watches that ask for them, in ms. Default 1000. */
  bookmarkIntervalMs?: number;
  /** Watch length when a request has no `timeoutSeconds`, in seconds. Default 1800. */
  watchTimeoutSeconds?: number;
  /**
   * Responds to a log read for a pod whose node has no Node object with 404, as the real server
   * does. Default false, because scenario stories leave their Nodes out.
   */
  requireNodes?: boolean;
  /**
   * Responds to a log read for a pod without a node with 204 and no body, as kube-apiserver
   * v1.37 does (default true). With false, the 400 `pod … does not have a host assigned`
   * that exec and attach get, which some older servers sent for logs too.
   */
  emptyLogWithoutNode?: boolean;
  /** Clock for timestamps. Default `() => new Date()`. */
  now?: () => Date;
  /** Logger for requests (debug) and server errors. Default: silent. */
  logger?: Logger;
  /**
   * Decides every resource request, including the `impersonate` checks of requests with
   * `Impersonate-User`/`Impersonate-Group` headers; a denial gets the real 403 Status.
   * The kubeconfig's user is `system:admin` in group `system:masters`. Default: allow all.
   */
  authorize?: Authorizer;
  /** Runs Jobs created through the API with a model of the job controller. Default true. */
  runJobs?: boolean;
  /** Chooser of the outcome of each attempt of a Job's pod. Default: exit code 0 after 1 s. */
  outcomes?: OutcomeChooser;
  /**
   * Model milliseconds per real millisecond for the job controller: durations, backoffs and
   * deadlines are divided by it. Default 1.
   */
  timeScale?: number;
}

/** A running simulated Kubernetes API server. */
export interface SimCluster {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** Path of a kubeconfig for this server, written at start and removed by `stop()`. */
  kubeconfigPath: string;
  /** Bearer token the kubeconfig carries. */
  token: string;
  /** The objects served; writes here reach open watches at once. */
  store: ObjectStore;
  /** Sets the logs of one container; strings and Buffers are both kept as bytes. */
  setLogs(
    namespace: string,
    pod: string,
    container: string,
    logs: { current?: string | Buffer; previous?: string | Buffer },
  ): void;
  faults: SimFaults;
  /** Returns a kubeconfig YAML for this server. */
  kubeconfigYaml(): string;
  /** Writes a kubeconfig for this server to `path`. */
  writeKubeconfig(path: string): Promise<void>;
  /** Ends every watch and connection, closes the server and removes the kubeconfig folder. */
  stop(): Promise<void>;
}

interface ServerState {
  ctx: ResourceContext;
  authorizer: RequestAuthorizer | undefined;
  faults: SimFaults;
  token: string;
  address: () => string;
  log: Logger;
}

function serveDiscovery(res: ServerResponse, route: Route, address: string): boolean {
  let body: unknown;
  if (route.kind === 'version') body = versionInfo();
  else if (route.kind === 'coreVersions') body = coreVersions(address);
  else if (route.kind === 'groupList') body = apiGroupList();
  else if (route.kind === 'group') body = apiGroup(route.group);
  else if (route.kind === 'resourceList') body = apiResourceList(route.group, route.version);
  else return false;
  if (body === undefined) throw pathNotFound();
  sendJson(res, 200, body);
  return true;
}

async function serveRequest(state: ServerState, req: IncomingMessage, res: ServerResponse) {
  const url = new URL(req.url ?? '/', 'http://sim.invalid');
  const record = { method: req.method ?? 'GET', path: url.pathname, query: url.search.slice(1) };
  state.log.debug(record, 'request');
  const { failure, delayMs } = state.faults.admit(record);
  if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
  // kubectl (client-go) sends no bearer token over plain http, so a request without one is
  // served as anonymous; only a wrong token is rejected.
  const auth = req.headers.authorization;
  if (auth !== undefined && auth !== `Bearer ${state.token}`) throw unauthorized();
  if (failure !== undefined) throw new StatusError(failure);
  const route = parseRoute(url.pathname);
  if (serveDiscovery(res, route, state.address())) return;
  if (route.kind !== 'resource') throw pathNotFound();
  state.authorizer?.check(req, route, url.searchParams);
  await handleResource(state.ctx, req, res, route, url.searchParams);
}

function handleFailure(state: ServerState, res: ServerResponse, error: unknown): void {
  if (res.headersSent) {
    state.log.warn({ err: error }, 'request failed after the response started');
    res.destroy();
    return;
  }
  if (error instanceof StatusError) {
    sendStatus(res, error.status);
    return;
  }
  state.log.error({ err: error }, 'simulated API server failed a request');
  sendStatus(res, failureStatus(500, 'InternalError', `internal error: ${String(error)}`));
}

/**
 * Starts the simulated API server on 127.0.0.1 and writes a kubeconfig for it to a fresh
 * temporary folder.
 */
export async function startSimCluster(options: SimClusterOptions = {}): Promise<SimCluster> {
  const now = options.now ?? (() => new Date());
  const log = options.logger ?? pino({ level: 'silent' });
  const token = options.token ?? randomBytes(16).toString('hex');
  const storeOptions = { now, ...(options.historyLimit ? { historyLimit: options.historyLimit } : {}) };
  const store = new ObjectStore(storeOptions);

  const logs = new LogStore();
  // A pod's logs go with it, as they do on a node once the pod is removed.
  store.subscribe((change) => {
    if (change.type === 'DELETED' && change.resource.plural === 'pods') {
      logs.deletePod(change.object.metadata.namespace ?? '', change.object.metadata.name ?? '');
    }
  });
  const watches: WatchRegistry = { open: new Set(), hung: new Set(), hanging: false };
  const faults = new SimFaults(store, watches);
  const setLogs: SimCluster['setLogs'] = (namespace, pod, container, text) =>
    logs.set(namespace, pod, container, text, now());
  const controller =
    options.runJobs === false
      ? undefined
      : new SimJobController({
          store,
          setLogs,
          now,
          logger: log,
          ...(options.timeScale === undefined ? {} : { timeScale: options.timeScale }),
          ...(options.outcomes === undefined ? {} : { outcomes: options.outcomes }),
        });

  const ctx: ResourceContext = {
    store,
    logs,
    watches,
    now,
    requireNodes: options.requireNodes ?? false,
    emptyLogWithoutNode: options.emptyLogWithoutNode ?? true,
    deleter: new Deleter(store, now),
    onCreated: (object) => {
      if (object.kind === 'Job') controller?.adopt(object);
    },
    watchSettings: {
      bookmarkIntervalMs: options.bookmarkIntervalMs ?? 1000,
      defaultTimeoutSeconds: options.watchTimeoutSeconds ?? 1800,
    },
    encodeList: encodeListFor,
    encodeObject: encodeObjectFor,
  };

  const server = createServer();
  const authorizer = options.authorize === undefined ? undefined : new RequestAuthorizer(options.authorize);
  const state: ServerState = { ctx, authorizer, faults, token, log, address: () => addressOf() };
  server.on('request', (req, res) => {
    serveRequest(state, req, res).catch((error: unknown) => handleFailure(state, res, error));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });

  const addressOf = () => `127.0.0.1:${(server.address() as AddressInfo).port}`;
  const url = `http://${addressOf()}`;
  const dir = await mkdtemp(join(tmpdir(), 'jobwatch-sim-'));
  const kubeconfigPath = join(dir, 'kubeconfig');
  await writeKubeconfig(kubeconfigPath, { url, token });
  log.info({ url }, 'simulated API server started');

  return {
    url,
    kubeconfigPath,
    token,
    store,
    faults,
    setLogs,
    kubeconfigYaml: () => kubeconfigYaml({ url, token }),
    writeKubeconfig: (path) => writeKubeconfig(path, { url, token }),
    stop: async () => {
      controller?.stop();
      faults.closeWatches({ abrupt: true });
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
      log.info({ url }, 'simulated API server stopped');
    },
  };
}
