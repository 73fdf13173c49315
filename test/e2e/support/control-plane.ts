import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Agent, fetch } from 'undici';
import { findFreePort } from '../../../src/queue/redis-server.ts';

/**
 * Builds and starts a real Kubernetes control plane on loopback: etcd,
 * kube-apiserver and kube-controller-manager, all from one binary built from
 * the Go module in test/controlplane and cached outside the clone.
 */

const moduleDir = resolve(import.meta.dirname, '../../controlplane');

export interface StepTiming {
  step: string;
  ms: number;
}

export interface ControlPlane {
  /** `https://127.0.0.1:PORT` of kube-apiserver. */
  server: string;
  /** Kubeconfig of a `system:masters` user. */
  kubeconfig: string;
  /** Folder with ca.crt, the client certificates and the component logs. */
  dir: string;
  pki: string;
  timings: StepTiming[];
  /** undici dispatcher that presents the administrator's client certificate. */
  adminDispatcher: Agent;
  /** Stops kube-apiserver and starts it again on the same port and storage. */
  restartApiServer(): Promise<void>;
  stop(): Promise<void>;
}

export interface ControlPlaneOptions {
  /** Seconds between the API server's etcd compactions (default 5). */
  compactionIntervalSeconds?: number;
  /** Prints each step with its duration. */
  log?: (line: string) => void;
}

/** Returns the folder of built binaries: `$XDG_CACHE_HOME/jobwatch` or `~/.cache/jobwatch`. */
export function cacheRoot(): string {
  const base = process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache');
  return join(base, 'jobwatch');
}

/** Kubernetes and etcd versions required by the Go module. */
export function moduleVersions(): { kubernetes: string; etcd: string } {
  const goMod = readFileSync(join(moduleDir, 'go.mod'), 'utf8');
  const kubernetes = /\bk8s\.io\/kubernetes (v\S+)/.exec(goMod)?.[1];
  const etcd = /\bgo\.etcd\.io\/etcd\/server\/v3 (v\S+)/.exec(goMod)?.[1];
  if (!kubernetes || !etcd) throw new Error(`${moduleDir}/go.mod does not require k8s.io/kubernetes and go.etcd.io/etcd/server/v3`);
  return { kubernetes, etcd };
}

/** Path of the cached binary, keyed by the module versions and a hash of the module's files. */
export function binaryPath(): string {
  const { kubernetes, etcd } = moduleVersions();
  const hash = createHash('sha256');
  for (const name of readdirSync(moduleDir).sort()) {
    if (name === 'go.mod' || name === 'go.sum' || name.endsWith('.go')) {
      hash.update(name).update(readFileSync(join(moduleDir, name)));
    }
  }
  const key = `kubernetes-${kubernetes}-etcd-${etcd}-${hash.digest('hex').slice(0, 12)}`;
  return join(cacheRoot(), 'controlplane', key, 'jobwatch-controlplane');
}

async function timed<T>(timings: StepTiming[], step: string, log: (line: string) => void, run: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await run();
  const ms = Math.round(performance.now() - started);
  timings.push({ step, ms });
  log(`${step}: ${(ms / 1000).toFixed(1)} s`);
  return result;
}

/** Builds the binary unless the cache already contains it, and returns its path. */
export async function ensureBinary(log: (line: string) => void = () => {}): Promise<{ path: string; built: boolean }> {
  const path = binaryPath();
  if (existsSync(path)) return { path, built: false };
  const go = spawnSync('go', ['version'], { encoding: 'utf8' });
  if (go.status !== 0) {
    throw new Error('the control plane is built from Go modules, and `go version` failed: install Go 1.26 or newer and put it on PATH');
  }
  const { kubernetes } = moduleVersions();
  const [major, minor] = kubernetes.replace(/^v/, '').split('.');
  await mkdir(resolve(path, '..'), { recursive: true });
  const partial = `${path}.partial-${process.pid}`;
  log(`building ${path} from ${moduleDir} (${go.stdout.trim()}); the first build downloads modules and links for several minutes`);
  const ldflags = [
    '-s',
    '-w',
    `-X k8s.io/component-base/version.gitVersion=${kubernetes}`,
    `-X k8s.io/component-base/version.gitMajor=${major}`,
    `-X k8s.io/component-base/version.gitMinor=${minor}`,
  ].join(' ');
  await new Promise<void>((done, fail) => {
    const child = spawn('go', ['build', '-trimpath', '-ldflags', ldflags, '-o', partial, '.'], {
      cwd: moduleDir,
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, GOFLAGS: '-mod=readonly' },
    });
    child.once('error', fail);
    child.once('exit', (code) => (code === 0 ? done() : fail(new Error(`go build in ${moduleDir} exited with ${code}`))));
  });
  await rename(partial, path);
  return { path, built: true };
}

interface Component {
  name: string;
  child: ChildProcess;
  exited: Promise<void>;
}

function startComponent(binary: string, name: string, args: string[], logDir: string): Component {
  const log = createWriteStream(join(logDir, `${name}.log`), { flags: 'a' });
  const child = spawn(binary, [name, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  return { name, child, exited };
}

async function stopComponent(component: Component | undefined): Promise<void> {
  if (!component || component.child.exitCode !== null || component.child.signalCode !== null) return;
  component.child.kill('SIGTERM');
  const timer = setTimeout(() => component.child.kill('SIGKILL'), 10_000);
  await component.exited;
  clearTimeout(timer);
}

async function waitFor(what: string, logFile: string, component: Component, check: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void component.exited.then(() => (exited = true));
  while (Date.now() < deadline) {
    if (exited) {
      const tail = (await readFile(logFile, 'utf8').catch(() => '')).split('\n').slice(-30).join('\n');
      throw new Error(`${what} exited during start-up; the end of ${logFile}:\n${tail}`);
    }
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} was not ready after ${timeoutMs / 1000} s; see ${logFile}`);
}

function kubeconfigYaml(server: string, pki: string, user: string): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: e2e',
    '  cluster:',
    `    server: ${server}`,
    `    certificate-authority: ${join(pki, 'ca.crt')}`,
    'users:',
    `- name: ${user}`,
    '  user:',
    `    client-certificate: ${join(pki, `${user}.crt`)}`,
    `    client-key: ${join(pki, `${user}.key`)}`,
    'contexts:',
    '- name: e2e',
    '  context:',
    '    cluster: e2e',
    `    user: ${user}`,
    'current-context: e2e',
    '',
  ].join('\n');
}

/** Builds (or reuses) the binary and starts etcd, kube-apiserver and kube-controller-manager on loopback. */
export async function startControlPlane(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const log = options.log ?? (() => {});
  const timings: StepTiming[] = [];
  const { path: binary, built } = await timed(timings, 'binary', log, () => ensureBinary(log));
  if (!built) log(`reused ${binary}`);

  const dir = await mkdtemp(join(tmpdir(), 'jobwatch-controlplane-'));
  const pki = join(dir, 'pki');
  const logs = join(dir, 'logs');
  await mkdir(logs, { recursive: true });
  await timed(timings, 'certificates', log, () => {
    const result = spawnSync(binary, ['certs', pki], { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`writing certificates failed: ${result.stderr}`);
    return Promise.resolve();
  });

  const components: Partial<Record<'etcd' | 'kube-apiserver' | 'kube-controller-manager', Component>> = {};
  const stopAll = async (): Promise<void> => {
    await stopComponent(components['kube-controller-manager']);
    await stopComponent(components['kube-apiserver']);
    await stopComponent(components.etcd);
  };

  try {
    const etcdPort = await findFreePort();
    const peerPort = await findFreePort();
    const etcdUrl = `http://127.0.0.1:${etcdPort}`;
    await timed(timings, 'etcd', log, async () => {
      const etcd = startComponent(
        binary,
        'etcd',
        [
          '--name=e2e',
          `--data-dir=${join(dir, 'etcd')}`,
          `--listen-client-urls=${etcdUrl}`,
          `--advertise-client-urls=${etcdUrl}`,
          `--listen-peer-urls=http://127.0.0.1:${peerPort}`,
          `--initial-advertise-peer-urls=http://127.0.0.1:${peerPort}`,
          `--initial-cluster=e2e=http://127.0.0.1:${peerPort}`,
          '--unsafe-no-fsync=true',
          '--log-level=warn',
        ],
        logs,
      );
      components.etcd = etcd;
      await waitFor('etcd', join(logs, 'etcd.log'), etcd, async () => {
        const res = await fetch(`${etcdUrl}/health`);
        await res.body?.cancel();
        return res.ok;
      });
    });

    const apiPort = await findFreePort();
    const server = `https://127.0.0.1:${apiPort}`;
    const ca = readFileSync(join(pki, 'ca.crt'));
    const adminDispatcher = new Agent({
      connect: { ca, cert: readFileSync(join(pki, 'admin.crt')), key: readFileSync(join(pki, 'admin.key')) },
    });
    const apiArgs = [
      `--etcd-servers=${etcdUrl}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      // The kubernetes Service's endpoints would need a non-loopback address.
      '--endpoint-reconciler-type=none',
      `--secure-port=${apiPort}`,
      `--cert-dir=${pki}`,
      `--tls-cert-file=${join(pki, 'apiserver.crt')}`,
      `--tls-private-key-file=${join(pki, 'apiserver.key')}`,
      `--client-ca-file=${join(pki, 'ca.crt')}`,
      '--service-cluster-ip-range=10.0.0.0/24',
      '--allow-privileged=true',
      '--authorization-mode=RBAC',
      '--disable-admission-plugins=ServiceAccount',
      `--service-account-issuer=${server}`,
      `--service-account-key-file=${join(pki, 'sa.pub')}`,
      `--service-account-signing-key-file=${join(pki, 'sa.key')}`,
      '--kubelet-preferred-address-types=InternalIP',
      `--kubelet-client-certificate=${join(pki, 'kubelet-client.crt')}`,
      `--kubelet-client-key=${join(pki, 'kubelet-client.key')}`,
      // Watches go straight to etcd and etcd is compacted often, so a watch
      // that resumes from an old resourceVersion gets 410 Gone as in a busy cluster.
      '--watch-cache=false',
      `--etcd-compaction-interval=${options.compactionIntervalSeconds ?? 5}s`,
      '--profiling=false',
    ];
    const readyz = async (): Promise<boolean> => {
      const res = await fetch(`${server}/readyz`, { dispatcher: adminDispatcher });
      await res.body?.cancel();
      return res.status === 200;
    };
    const startApiServer = async (): Promise<void> => {
      const apiserver = startComponent(binary, 'kube-apiserver', apiArgs, logs);
      components['kube-apiserver'] = apiserver;
      await waitFor('kube-apiserver', join(logs, 'kube-apiserver.log'), apiserver, readyz);
    };
    await timed(timings, 'kube-apiserver', log, startApiServer);

    const kubeconfig = join(dir, 'admin.kubeconfig');
    await writeFile(kubeconfig, kubeconfigYaml(server, pki, 'admin'));
    const controllerKubeconfig = join(dir, 'controller-manager.kubeconfig');
    await writeFile(controllerKubeconfig, kubeconfigYaml(server, pki, 'controller-manager'));

    await timed(timings, 'kube-controller-manager', log, async () => {
      const cmPort = await findFreePort();
      const manager = startComponent(
        binary,
        'kube-controller-manager',
        [
          `--kubeconfig=${controllerKubeconfig}`,
          `--authentication-kubeconfig=${controllerKubeconfig}`,
          `--authorization-kubeconfig=${controllerKubeconfig}`,
          '--bind-address=127.0.0.1',
          `--secure-port=${cmPort}`,
          `--cert-dir=${join(dir, 'controller-manager')}`,
          '--leader-elect=false',
          '--use-service-account-credentials=true',
          `--service-account-private-key-file=${join(pki, 'sa.key')}`,
          `--root-ca-file=${join(pki, 'ca.crt')}`,
          '--controllers=job,cronjob,garbagecollector,namespace,serviceaccount,serviceaccount-token,ttl-after-finished,podgc',
          '--concurrent-job-syncs=5',
        ],
        logs,
      );
      components['kube-controller-manager'] = manager;
      // Its serving certificate is self-signed at start-up, so the check skips verification.
      const insecure = new Agent({ connect: { rejectUnauthorized: false } });
      try {
        await waitFor('kube-controller-manager', join(logs, 'kube-controller-manager.log'), manager, async () => {
          const res = await fetch(`https://127.0.0.1:${cmPort}/healthz`, { dispatcher: insecure });
          await res.body?.cancel();
          return res.status === 200;
        });
      } finally {
        await insecure.close();
      }
    });

    return {
      server,
      kubeconfig,
      dir,
      pki,
      timings,
      adminDispatcher,
      async restartApiServer() {
        await stopComponent(components['kube-apiserver']);
        await startApiServer();
      },
      async stop() {
        await stopAll();
        await adminDispatcher.close();
        if (!process.env.JOBWATCH_E2E_KEEP) await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
