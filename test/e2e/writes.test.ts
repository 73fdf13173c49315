import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { V1CronJob, V1Job } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import type { KubeIdentity, KubeWrites } from '../../src/actions/types.ts';
import { KubeApiError } from '../../src/kube/errors.ts';
import { loadKubeConfig } from '../../src/kube/kubeconfig.ts';
import { createKubeWrites } from '../../src/kube/writes.ts';
import { controlPlane, createNamespace, jobManifest } from './support/e2e.ts';

/**
 * Cluster writes of actions on the real API server: jobwatch's ServiceAccount, bound by
 * deploy/rbac/cluster.yaml and deploy/rbac/impersonate.yaml, impersonates the identities of
 * examples/policy.yaml, and the Role of deploy/rbac/oncall-example.yaml decides.
 */

const plane = controlPlane();
const RBAC_DIR = resolve(import.meta.dirname, '../../deploy/rbac');

const PAYMENTS_ONCALL: KubeIdentity = { user: 'slack:payments-oncall', groups: ['jobwatch:oncall'] };
const DATA_ENGINEERS: KubeIdentity = {
  user: 'slack:data-engineers',
  groups: ['jobwatch:oncall', 'jobwatch:data'],
};

interface Manifest {
  kind: string;
  metadata: { name: string; namespace?: string };
  roleRef?: { kind: string; name: string };
  subjects?: { kind: string; name: string; namespace?: string }[];
}

async function readManifests(file: string): Promise<Manifest[]> {
  const text = await readFile(join(RBAC_DIR, file), 'utf8');
  return parseAllDocuments(text).map((doc) => doc.toJS() as Manifest);
}

/** Renames the ServiceAccount's namespace and the cluster-scoped objects after `account`. */
function isolate(manifests: Manifest[], account: string): Manifest[] {
  return manifests.map((manifest) => {
    const copy = structuredClone(manifest);
    const rename = (name: string) => name.replace(/^jobwatch/, account);
    if (copy.kind === 'Namespace' || copy.kind.startsWith('Cluster')) {
      copy.metadata.name = rename(copy.metadata.name);
    }
    if (copy.metadata.namespace === 'jobwatch') copy.metadata.namespace = account;
    if (copy.roleRef?.kind === 'ClusterRole') copy.roleRef.name = rename(copy.roleRef.name);
    for (const subject of copy.subjects ?? []) {
      if (subject.namespace === 'jobwatch') subject.namespace = account;
    }
    return copy;
  });
}

/** Runs kubectl as the control plane's administrator and returns its exit code and output. */
function kubectl(args: string[], input = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn('kubectl', ['--kubeconfig', plane.kubeconfig, ...args]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout: stdout.trim(), stderr }));
    child.stdin.end(input);
  });
}

async function kubectlApply(manifests: Manifest[], namespace?: string): Promise<void> {
  const yaml = manifests.map((manifest) => stringify(manifest)).join('---\n');
  const args = ['apply', '-f', '-', ...(namespace === undefined ? [] : ['-n', namespace])];
  const result = await kubectl(args, yaml);
  if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed: ${result.stderr}`);
}

/** Returns kubectl's `yes` or `no` for one check as an impersonated identity. */
async function canIAs(identity: KubeIdentity, verb: string, resource: string, namespace: string) {
  const groups = identity.groups.map((group) => `--as-group=${group}`);
  const args = ['auth', 'can-i', verb, resource, '-n', namespace, `--as=${identity.user}`, ...groups];
  return (await kubectl(args)).stdout;
}

/** Writes a kubeconfig that authenticates as the ServiceAccount with a TokenRequest token. */
async function serviceAccountKubeconfig(account: string, dir: string): Promise<string> {
  const path = `/api/v1/namespaces/${account}/serviceaccounts/jobwatch/token`;
  const review = await plane.kube.call<{ status: { token: string } }>('POST', path, {
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'TokenRequest',
    spec: { expirationSeconds: 3600 },
  });
  const kubeconfig = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      { name: 'e2e', cluster: { server: plane.server, 'certificate-authority': join(plane.pki, 'ca.crt') } },
    ],
    users: [{ name: 'jobwatch', user: { token: review.status.token } }],
    contexts: [{ name: 'jobwatch', context: { cluster: 'e2e', user: 'jobwatch' } }],
    'current-context': 'jobwatch',
  };
  const file = join(dir, 'kubeconfig');
  await writeFile(file, stringify(kubeconfig), { mode: 0o600 });
  return file;
}

async function rejection(promise: Promise<unknown>): Promise<KubeApiError> {
  const error = await promise.then(
    (value) => new Error(`expected a rejection, got ${JSON.stringify(value).slice(0, 200)}`),
    (err: unknown) => err,
  );
  if (error instanceof KubeApiError) return error;
  throw error;
}

function retryJob(namespace: string, name: string): V1Job {
  return jobManifest({ namespace, name, behaviour: { 'exit-code': '0' } });
}

let tempDir = '';
let account = '';
let payments = '';
let reports = '';
let writes: KubeWrites;

beforeAll(async () => {
  tempDir = await mkdtemp(join(tmpdir(), 'jobwatch-writes-'));
  account = await createNamespace(plane.kube, 'jobwatch');
  const install = [...(await readManifests('cluster.yaml')), ...(await readManifests('impersonate.yaml'))];
  await kubectlApply(isolate(install, account));
  payments = await createNamespace(plane.kube, 'payments');
  reports = await createNamespace(plane.kube, 'reports');
  await kubectlApply(await readManifests('oncall-example.yaml'), payments);
  // In reports the same Role is bound to a group only, jobwatch:data, the second group of
  // the data engineers' identity.
  const byGroup = (await readManifests('oncall-example.yaml')).map((manifest) =>
    manifest.kind === 'RoleBinding'
      ? { ...manifest, subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'jobwatch:data' }] }
      : manifest,
  );
  await kubectlApply(byGroup, reports);
  writes = createKubeWrites(loadKubeConfig({ kubeconfig: await serviceAccountKubeconfig(account, tempDir) }));
});

afterAll(async () => {
  await plane.dispatcher.close();
  await rm(tempDir, { recursive: true, force: true });
});

describe('createJob as a mapped identity', () => {
  it('creates the Job when the Role allows it', async () => {
    const created = await writes.createJob(payments, retryJob(payments, 'report-retry-1'), PAYMENTS_ONCALL);
    expect(created.metadata?.uid).toBeTruthy();
    const stored = await plane.kube.call<V1Job>('GET', `/apis/batch/v1/namespaces/${payments}/jobs/report-retry-1`);
    expect(stored.metadata?.uid).toBe(created.metadata?.uid);
  });

  it('passes the 403 text of an identity without the Role', async () => {
    const error = await rejection(writes.createJob(payments, retryJob(payments, 'x-1'), DATA_ENGINEERS));
    expect(error.code).toBe(403);
    expect(error.isPermanent).toBe(true);
    expect(error.statusMessage).toBe(
      `jobs.batch is forbidden: User "slack:data-engineers" cannot create resource "jobs" ` +
        `in API group "batch" in the namespace "${payments}"`,
    );
  });

  it('authorizes through the second group', async () => {
    // Joined into one header line, the groups would form the name
    // "jobwatch:oncall, jobwatch:data", which jobwatch may not impersonate.
    const created = await writes.createJob(reports, retryJob(reports, 'etl-retry-1'), DATA_ENGINEERS);
    expect(created.metadata?.name).toBe('etl-retry-1');
  });

  it('rejects a user outside resourceNames', async () => {
    const mallory = { user: 'slack:mallory', groups: [] };
    const error = await rejection(writes.createJob(payments, retryJob(payments, 'x-2'), mallory));
    expect(error.code).toBe(403);
    expect(error.statusMessage).toContain('users "slack:mallory" is forbidden');
    expect(error.statusMessage).toContain(
      `User "system:serviceaccount:${account}:jobwatch" cannot impersonate resource "users"`,
    );
  });

  it('rejects a group outside resourceNames', async () => {
    const identity = { user: 'slack:payments-oncall', groups: ['jobwatch:admins'] };
    const error = await rejection(writes.createJob(payments, retryJob(payments, 'x-3'), identity));
    expect(error.code).toBe(403);
    expect(error.statusMessage).toContain('groups "jobwatch:admins" is forbidden');
  });

  it('rejects a write as jobwatch itself', async () => {
    const error = await rejection(writes.createJob(payments, retryJob(payments, 'x-4')));
    expect(error.code).toBe(403);
    expect(error.statusMessage).toContain(`User "system:serviceaccount:${account}:jobwatch" cannot create`);
  });
});

describe('patchCronJob as a mapped identity', () => {
  const name = 'nightly-report';

  beforeAll(async () => {
    const template = jobManifest({ namespace: payments, name, backoffLimit: 1, memoryLimit: '256Mi' });
    await plane.kube.call('POST', `/apis/batch/v1/namespaces/${payments}/cronjobs`, {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name, namespace: payments },
      // Suspended, so the cronjob controller starts no Job during the test.
      spec: { schedule: '0 3 * * *', suspend: true, jobTemplate: { spec: template['spec'] } },
    });
  });

  it('merges the patch into the jobTemplate', async () => {
    const patch = { spec: { jobTemplate: { spec: { backoffLimit: 4, activeDeadlineSeconds: 1800 } } } };
    const patched = await writes.patchCronJob(payments, name, patch, PAYMENTS_ONCALL);
    expect(patched.spec?.jobTemplate.spec?.backoffLimit).toBe(4);
    const stored = await plane.kube.call<V1CronJob>('GET', `/apis/batch/v1/namespaces/${payments}/cronjobs/${name}`);
    expect(stored.spec?.jobTemplate.spec?.backoffLimit).toBe(4);
    expect(stored.spec?.jobTemplate.spec?.activeDeadlineSeconds).toBe(1800);
    expect(stored.spec?.schedule).toBe('0 3 * * *');
    expect(stored.spec?.suspend).toBe(true);
    const container = stored.spec?.jobTemplate.spec?.template.spec?.containers[0];
    expect(container?.resources?.limits?.['memory']).toBe('256Mi');
  });

  it('reads the patched CronJob as jobwatch', async () => {
    const read = await writes.getCronJob(payments, name);
    expect(read.spec?.jobTemplate.spec?.backoffLimit).toBe(4);
  });

  it('passes the 403 text of a patch without the Role', async () => {
    const patch = { spec: { jobTemplate: { spec: { backoffLimit: 9 } } } };
    const error = await rejection(writes.patchCronJob(payments, name, patch, DATA_ENGINEERS));
    expect(error.code).toBe(403);
    expect(error.statusMessage).toBe(
      `cronjobs.batch "${name}" is forbidden: User "slack:data-engineers" cannot patch ` +
        `resource "cronjobs" in API group "batch" in the namespace "${payments}"`,
    );
  });
});

describe('kubectl auth can-i as the mapped identities', () => {
  it.each([
    ['yes', 'create', 'jobs', PAYMENTS_ONCALL],
    ['yes', 'patch', 'cronjobs', PAYMENTS_ONCALL],
    ['no', 'delete', 'jobs', PAYMENTS_ONCALL],
    ['no', 'create', 'jobs', DATA_ENGINEERS],
  ])('returns %s for %s %s in payments', async (answer, verb, resource, identity) => {
    expect(await canIAs(identity, verb, resource, payments)).toBe(answer);
  });

  it('returns yes through a bound group in reports', async () => {
    expect(await canIAs(DATA_ENGINEERS, 'create', 'jobs', reports)).toBe('yes');
  });
});
