import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Agent } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { startFakeSlack } from '../fake-slack/index.ts';
import { ALERT_CHANNEL, eventually, harnessEnv, launchInProcess } from '../support/harness.ts';
import { testRedisUrl, uniquePrefix } from '../support/redis.ts';
import { runCommand, type CommandResult } from '../support/run-command.ts';
import {
  controlPlane,
  createJob,
  createNamespace,
  rootMessages,
  startJobwatchOn,
  waitForJobFailed,
  type E2eJobwatch,
} from './support/e2e.ts';
import { createKubeClient } from './support/kube-client.ts';

/**
 * jobwatch under its own ServiceAccount, bound by the manifests in deploy/rbac and
 * authenticated with a TokenRequest token, against the real API server's RBAC.
 */

const plane = controlPlane();
const RBAC_DIR = resolve(import.meta.dirname, '../../deploy/rbac');
/** The namespace the manifests put the ServiceAccount in; each test moves it to its own. */
const ACCOUNT_NAMESPACE = 'jobwatch';
const ACCOUNT_NAME = 'jobwatch';

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  rules?: Rule[];
  roleRef?: { kind: string; name: string };
  subjects?: { apiGroup?: string; kind: string; name: string; namespace?: string }[];
}

/** An install of the manifests for one test, with a token of its ServiceAccount. */
interface Install {
  accountNamespace: string;
  /** The `--as` user of `kubectl auth can-i`. */
  user: string;
  /** A kubeconfig with the server, the cluster CA and the ServiceAccount's token. */
  kubeconfig: string;
}

const tempDirs: string[] = [];
let jobwatch: E2eJobwatch | undefined;

afterEach(async () => {
  await jobwatch?.stop();
  jobwatch = undefined;
});
afterAll(async () => {
  await plane.dispatcher.close();
  for (const dir of tempDirs) await rm(dir, { recursive: true, force: true });
});

async function readManifests(file: string): Promise<Manifest[]> {
  const text = await readFile(join(RBAC_DIR, file), 'utf8');
  return parseAllDocuments(text).map((doc) => doc.toJS() as Manifest);
}

/**
 * Moves an install into `accountNamespace` so that tests do not share a ServiceAccount:
 * the ServiceAccount's namespace takes that name, and it replaces the `jobwatch` at the
 * start of cluster-scoped names (`jobwatch-impersonate` becomes `NAMESPACE-impersonate`).
 */
function isolate(manifests: Manifest[], accountNamespace: string): Manifest[] {
  const rename = (name: string) => name.replace(/^jobwatch/, accountNamespace);
  return manifests.map((manifest) => {
    const copy = structuredClone(manifest);
    if (copy.kind === 'Namespace' || copy.kind.startsWith('Cluster')) {
      copy.metadata.name = rename(copy.metadata.name);
    }
    if (copy.metadata.namespace === ACCOUNT_NAMESPACE) copy.metadata.namespace = accountNamespace;
    if (copy.roleRef?.kind === 'ClusterRole') copy.roleRef.name = rename(copy.roleRef.name);
    for (const subject of copy.subjects ?? []) {
      if (subject.namespace === ACCOUNT_NAMESPACE) subject.namespace = accountNamespace;
    }
    return copy;
  });
}

/** Runs kubectl as the control plane's administrator. */
function kubectl(args: string[], input?: string): Promise<CommandResult> {
  return runCommand('kubectl', ['--kubeconfig', plane.kubeconfig, ...args], { input: input ?? '' });
}

async function kubectlApply(manifests: Manifest[], namespace?: string): Promise<void> {
  const yaml = manifests.map((manifest) => stringify(manifest)).join('---\n');
  const args = ['apply', '-f', '-', ...(namespace === undefined ? [] : ['-n', namespace])];
  const result = await kubectl(args, yaml);
  if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed: ${result.stderr}`);
}

/** Returns kubectl's `yes` or `no` for one access check as the install's ServiceAccount. */
async function canI(install: Install, check: string[], namespace?: string): Promise<string> {
  const scope = namespace === undefined ? [] : ['-n', namespace];
  const result = await kubectl(['auth', 'can-i', ...check, `--as=${install.user}`, ...scope]);
  return result.stdout.trim();
}

async function canIList(install: Install, namespace?: string): Promise<string> {
  const scope = namespace === undefined ? [] : ['-n', namespace];
  const result = await kubectl(['auth', 'can-i', '--list', `--as=${install.user}`, ...scope]);
  if (result.code !== 0) throw new Error(`kubectl auth can-i --list failed: ${result.stderr}`);
  return result.stdout;
}

/** Collapses runs of spaces, so column widths and trailing blanks do not count. */
function normaliseWhitespace(text: string): string {
  return text
    .split('\n')
    .map((line) => line.trim().replace(/\s+/g, ' '))
    .filter((line) => line !== '')
    .join('\n');
}

/** Requests a token for the install's ServiceAccount through the TokenRequest API. */
async function requestToken(accountNamespace: string): Promise<string> {
  const path = `/api/v1/namespaces/${accountNamespace}/serviceaccounts/${ACCOUNT_NAME}/token`;
  const request = {
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'TokenRequest',
    spec: { expirationSeconds: 3600 },
  };
  const review = await plane.kube.call<{ status: { token: string } }>('POST', path, request);
  return review.status.token;
}

async function writeTokenKubeconfig(token: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'jobwatch-rbac-'));
  tempDirs.push(dir);
  const kubeconfig = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: 'e2e',
        cluster: { server: plane.server, 'certificate-authority': join(plane.pki, 'ca.crt') },
      },
    ],
    users: [{ name: 'jobwatch', user: { token } }],
    contexts: [{ name: 'jobwatch', context: { cluster: 'e2e', user: 'jobwatch' } }],
    'current-context': 'jobwatch',
  };
  const path = join(dir, 'kubeconfig');
  await writeFile(path, stringify(kubeconfig), { mode: 0o600 });
  return path;
}

/** Returns the user name that the API server authenticates a bearer token as. */
async function whoAmI(token: string): Promise<string> {
  const dispatcher = new Agent({ connect: { ca: readFileSync(join(plane.pki, 'ca.crt')) } });
  try {
    const kube = createKubeClient(plane.server, dispatcher, { authorization: `Bearer ${token}` });
    const review = await kube.call<{ status: { userInfo: { username: string } } }>(
      'POST',
      '/apis/authentication.k8s.io/v1/selfsubjectreviews',
      { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
    );
    return review.status.userInfo.username;
  } finally {
    await dispatcher.close();
  }
}

/** Applies the ServiceAccount's manifests in a namespace of its own and gets its token. */
async function installAccount(files: string[]): Promise<Install & { token: string }> {
  const accountNamespace = await createNamespace(plane.kube, 'jobwatch');
  const manifests = (await Promise.all(files.map(readManifests))).flat();
  await kubectlApply(isolate(manifests, accountNamespace));
  const token = await requestToken(accountNamespace);
  return {
    accountNamespace,
    user: `system:serviceaccount:${accountNamespace}:${ACCOUNT_NAME}`,
    kubeconfig: await writeTokenKubeconfig(token),
    token,
  };
}

/**
 * Starts jobwatch like `startJobwatchOn`, without waiting for `/readyz`: with a
 * namespace it may not watch, its watches never all sync.
 */
async function startUnreadyJobwatch(kubeconfig: string, env: Record<string, string>): Promise<E2eJobwatch> {
  const slack = await startFakeSlack({ channels: [{ id: ALERT_CHANNEL, name: 'job-alerts' }] });
  const prefix = uniquePrefix('e2e');
  const lines: string[] = [];
  const fullEnv = { ...harnessEnv(slack, testRedisUrl(), prefix), KUBECONFIG: kubeconfig, ...env };
  const handle: E2eJobwatch = {
    slack,
    prefix,
    lines,
    current: await launchInProcess(fullEnv, lines),
    async restart() {
      await handle.current.jobwatch.stop();
      await handle.current.close();
      handle.current = await launchInProcess(fullEnv, lines);
    },
    async stop() {
      await handle.current.jobwatch.stop();
      await handle.current.close();
      await slack.stop();
    },
  };
  return handle;
}

interface LogLine {
  level: number;
  msg: string;
  namespace?: string;
  path?: string;
  [field: string]: unknown;
}

function parseLines(lines: string[]): LogLine[] {
  return lines.map((line) => JSON.parse(line) as LogLine);
}

/**
 * Log lines that show an RBAC denial: a 403 status, the `Forbidden` reason, or the API
 * server's "cannot VERB resource" message. `allowedText` exempts lines that quote a
 * cluster message with "forbidden" in it, such as a LimitRange rejection.
 */
function denialLines(lines: string[], allowedText?: string): string[] {
  const denial = /"code":403|failed with 403|Forbidden|cannot (get|list|watch) resource|forbidden/;
  return lines.filter((line) => denial.test(line) && !(allowedText && line.includes(allowedText)));
}

async function finalAlert(j: E2eJobwatch, namespace: string, jobName: string, pattern: RegExp) {
  return eventually(
    () =>
      rootMessages(j.slack).find((m) => m.text.includes(`${namespace}/${jobName}`) && pattern.test(m.text)),
    `the final alert for ${namespace}/${jobName}`,
    90_000,
  );
}

async function attemptReplies(j: E2eJobwatch, rootTs: string) {
  return eventually(() => {
    const replies = j.slack.thread(ALERT_CHANNEL, rootTs).filter((m) => m.ts !== rootTs);
    return replies.length > 0 ? replies : undefined;
  }, 'a thread reply for the failed attempt', 30_000);
}

const EXPORT_LOG =
  'connecting to warehouse\nTraceback (most recent call last):\n' +
  '  File "export.py", line 12, in <module>\nKeyError: \'ledger_id\'\n';

describe('manifests in deploy/rbac', () => {
  it('label every object and name the jobwatch ServiceAccount', async () => {
    for (const file of ['cluster.yaml', 'namespaced.yaml', 'service-account.yaml', 'impersonate.yaml']) {
      for (const manifest of await readManifests(file)) {
        expect(manifest.metadata.labels, `${file} ${manifest.kind}`).toEqual({
          'app.kubernetes.io/name': 'jobwatch',
        });
        for (const subject of manifest.subjects ?? []) {
          expect(subject).toEqual({ kind: 'ServiceAccount', name: 'jobwatch', namespace: 'jobwatch' });
        }
      }
    }
  });

  it('grant the same read-only rules cluster-wide and per namespace', async () => {
    const clusterRole = (await readManifests('cluster.yaml')).find((m) => m.kind === 'ClusterRole');
    const role = (await readManifests('namespaced.yaml')).find((m) => m.kind === 'Role');
    expect(role?.rules).toEqual(clusterRole?.rules);
    const verbs = new Set(clusterRole?.rules?.flatMap((rule) => rule.verbs));
    expect([...verbs].sort()).toEqual(['get', 'list', 'watch']);
    const resources = clusterRole?.rules?.flatMap((rule) => rule.resources) ?? [];
    expect(resources.sort()).toEqual(['cronjobs', 'events', 'jobs', 'pods', 'pods/log']);
  });

  it('leave the namespace of the Role and RoleBinding to kubectl -n', async () => {
    for (const file of ['namespaced.yaml', 'oncall-example.yaml']) {
      for (const manifest of await readManifests(file)) {
        expect(manifest.metadata.namespace, `${file} ${manifest.kind}`).toBeUndefined();
      }
    }
  });

  it('grant only named impersonation in impersonate.yaml', async () => {
    const role = (await readManifests('impersonate.yaml')).find((m) => m.kind === 'ClusterRole');
    for (const rule of role?.rules ?? []) {
      expect(rule.verbs).toEqual(['impersonate']);
      expect(rule.apiGroups).toEqual(['']);
      expect(['users', 'groups']).toContain(rule.resources[0]);
      expect(rule.resourceNames?.length).toBeGreaterThan(0);
    }
  });

  it('bind the oncall example to a mapped user', async () => {
    const binding = (await readManifests('oncall-example.yaml')).find((m) => m.kind === 'RoleBinding');
    expect(binding?.subjects).toEqual([
      { apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'slack:payments-oncall' },
    ]);
  });
});

describe('cluster-wide install (cluster.yaml)', () => {
  let install: Install & { token: string };
  let jobNamespace = '';

  beforeAll(async () => {
    install = await installAccount(['cluster.yaml', 'impersonate.yaml']);
    jobNamespace = await createNamespace(plane.kube, 'rbac-cluster');
  });

  it('authenticates jobwatch as its ServiceAccount', async () => {
    expect(await whoAmI(install.token)).toBe(install.user);
  });

  it('alerts with log and attempt in any namespace', async () => {
    jobwatch = await startJobwatchOn(install.kubeconfig);
    const j = jobwatch;
    await createJob(plane.kube, {
      namespace: jobNamespace,
      name: 'ledger-export',
      backoffLimit: 0,
      behaviour: { 'exit-code': '1', log: EXPORT_LOG },
    });
    await waitForJobFailed(plane.kube, jobNamespace, 'ledger-export');

    const root = await finalAlert(j, jobNamespace, 'ledger-export', /backoff limit/i);
    const rendered = JSON.stringify(root.blocks);
    expect(rendered).toContain("KeyError: 'ledger_id'");
    expect(rendered).toMatch(/exit code 1|exited with 1|exit 1/i);
    const replies = await attemptReplies(j, root.ts);
    expect(replies.map((reply) => reply.text).join('\n')).toMatch(/Attempt 1/);
    expect(denialLines(j.lines)).toEqual([]);
  });

  it('quotes FailedCreate events of a LimitRange rejection', async () => {
    // The job controller records each rejected pod creation as a FailedCreate event on the
    // Job. The cause comes only from those events, so it shows that events are listed.
    await kubectlApply(
      [
        {
          apiVersion: 'v1',
          kind: 'LimitRange',
          metadata: { name: 'small-containers' },
          spec: { limits: [{ type: 'Container', max: { memory: '64Mi' } }] },
        } as Manifest,
      ],
      jobNamespace,
    );
    jobwatch = await startJobwatchOn(install.kubeconfig);
    const j = jobwatch;
    await createJob(plane.kube, {
      namespace: jobNamespace,
      name: 'oversized-rollup',
      memoryLimit: '256Mi',
      behaviour: { 'exit-code': '0' },
    });

    const root = await finalAlert(j, jobNamespace, 'oversized-rollup', /./);
    const rendered = await eventually(() => {
      const text = JSON.stringify(rootMessages(j.slack).find((m) => m.ts === root.ts)?.blocks);
      return text.includes('quota-exceeded') ? text : undefined;
    }, 'the quota-exceeded cause in the alert', 60_000);
    expect(rendered).toContain('maximum memory usage per Container is 64Mi');
    expect(denialLines(j.lines, 'maximum memory usage per Container')).toEqual([]);
  });

  it('matches can-i-cluster.txt', async () => {
    const expected = await readFile(join(RBAC_DIR, 'can-i-cluster.txt'), 'utf8');
    expect(normaliseWhitespace(await canIList(install))).toBe(normaliseWhitespace(expected));
  });

  it.each([
    ['get', 'secrets'],
    ['list', 'configmaps'],
    ['get', 'nodes'],
    ['create', 'jobs'],
    ['delete', 'pods'],
    ['patch', 'jobs'],
    ['create', 'pods/exec'],
  ])('denies %s %s', async (verb, resource) => {
    expect(await canI(install, [verb, resource], jobNamespace)).toBe('no');
  });

  it.each([
    ['list', 'jobs.batch'],
    ['watch', 'pods'],
    ['get', 'pods/log'],
    ['list', 'events'],
    ['get', 'cronjobs.batch'],
  ])('allows %s %s in every namespace', async (verb, resource) => {
    expect(await canI(install, [verb, resource, '--all-namespaces'])).toBe('yes');
  });

  it.each([
    ['yes', 'users/slack:payments-oncall'],
    ['yes', 'groups/jobwatch:oncall'],
    ['no', 'users/slack:mallory'],
    ['no', 'users'],
    ['no', 'groups/system:masters'],
    ['no', 'serviceaccounts'],
  ])('returns %s for impersonate %s', async (answer, resource) => {
    expect(await canI(install, ['impersonate', resource])).toBe(answer);
  });
});

describe('namespaced install (service-account.yaml and namespaced.yaml)', () => {
  let install: Install & { token: string };
  let bound = '';
  let unbound = '';

  beforeAll(async () => {
    install = await installAccount(['service-account.yaml', 'impersonate.yaml']);
    bound = await createNamespace(plane.kube, 'rbac-bound');
    unbound = await createNamespace(plane.kube, 'rbac-unbound');
    await kubectlApply(isolate(await readManifests('namespaced.yaml'), install.accountNamespace), bound);
  });

  it('alerts in the bound namespace only', async () => {
    await createJob(plane.kube, {
      namespace: unbound,
      name: 'unwatched-export',
      behaviour: { 'exit-code': '1', log: EXPORT_LOG },
    });
    await waitForJobFailed(plane.kube, unbound, 'unwatched-export');
    jobwatch = await startJobwatchOn(install.kubeconfig, { JOBWATCH_NAMESPACES: bound });
    const j = jobwatch;
    await createJob(plane.kube, {
      namespace: bound,
      name: 'ledger-export',
      behaviour: { 'exit-code': '1', log: EXPORT_LOG },
    });
    await waitForJobFailed(plane.kube, bound, 'ledger-export');

    const root = await finalAlert(j, bound, 'ledger-export', /backoff limit/i);
    expect(JSON.stringify(root.blocks)).toContain("KeyError: 'ledger_id'");
    await attemptReplies(j, root.ts);
    expect(rootMessages(j.slack).filter((m) => m.text.includes(unbound))).toEqual([]);
    expect(denialLines(j.lines)).toEqual([]);
  });

  it('logs the forbidden namespace and alerts for the bound one', async () => {
    jobwatch = await startUnreadyJobwatch(install.kubeconfig, {
      JOBWATCH_NAMESPACES: `${bound},${unbound}`,
    });
    const j = jobwatch;
    const forbidden = await eventually(
      () => parseLines(j.lines).find((line) => line.level === 50 && line.namespace === unbound),
      `an error line naming namespace ${unbound}`,
      60_000,
    );
    expect(forbidden.msg).toMatch(/forbidden by RBAC/);
    expect(forbidden['resource']).toBe('jobs');
    expect(String(forbidden['fix'])).toContain(`kubectl apply -n ${unbound} -f deploy/rbac/namespaced.yaml`);
    expect(String(forbidden['fix'])).toContain('JOBWATCH_NAMESPACES');
    await eventually(
      () => parseLines(j.lines).filter((l) => l.msg === 'list-watch synced' && l.namespace === bound).length >= 2,
      `the job and pod watches of ${bound} synced`,
      60_000,
    );

    await createJob(plane.kube, {
      namespace: bound,
      name: 'invoice-sync',
      behaviour: { 'exit-code': '2', log: 'fetching invoices\nerror: upstream answered 503\n' },
    });
    await waitForJobFailed(plane.kube, bound, 'invoice-sync');
    const root = await finalAlert(j, bound, 'invoice-sync', /backoff limit/i);
    expect(JSON.stringify(root.blocks)).toContain('upstream answered 503');
    await attemptReplies(j, root.ts);
    expect(j.current.jobwatch.readiness()['watch']).toBe(false);
    // One error for the forbidden namespace, though its job and pod loops both keep retrying.
    const errors = parseLines(j.lines).filter((line) => line.level === 50);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.namespace).toBe(unbound);
  });

  it('matches can-i-namespaced.txt in the bound namespace', async () => {
    const expected = await readFile(join(RBAC_DIR, 'can-i-namespaced.txt'), 'utf8');
    expect(normaliseWhitespace(await canIList(install, bound))).toBe(normaliseWhitespace(expected));
  });

  it.each([
    ['get', 'secrets'],
    ['create', 'jobs'],
    ['delete', 'pods'],
  ])('denies %s %s in the bound namespace', async (verb, resource) => {
    expect(await canI(install, [verb, resource], bound)).toBe('no');
  });

  it.each([
    ['list', 'jobs.batch'],
    ['watch', 'pods'],
    ['get', 'pods/log'],
  ])('denies %s %s outside the bound namespace', async (verb, resource) => {
    expect(await canI(install, [verb, resource], unbound)).toBe('no');
    expect(await canI(install, [verb, resource, '--all-namespaces'])).toBe('no');
  });

  it('denies get nodes', async () => {
    expect(await canI(install, ['get', 'nodes'])).toBe('no');
  });
});
