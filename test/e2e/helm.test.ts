import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { createActionPolicy, impersonationRules } from '../../src/actions/policy.ts';
import { loadConfig } from '../../src/config/env.ts';
import { parsePolicy } from '../../src/config/policy.ts';
import { parseRoutes } from '../../src/config/routing.ts';
import { leaseName } from '../../src/watch/active-watcher.ts';
import {
  CHART_DIR,
  findManifest,
  jobwatchContainer,
  ofKind,
  HELM,
  renderChart,
  resolveEnv,
  ROOT,
  secretData,
  type Manifest,
  type PodSpec,
  type Workload,
} from '../helm/chart-render.ts';
import { runCommand, type CommandResult } from '../support/run-command.ts';
import { controlPlane, createNamespace } from './support/e2e.ts';
import { KubeRequestError } from './support/kube-client.ts';

/**
 * The Helm chart, rendered by the real helm with each values file in helm/jobwatch/ci. Each
 * render is checked object by object and must pass the real API server's server-side dry
 * run. The RBAC of three renders is then applied, and `kubectl auth can-i` runs as the
 * chart's ServiceAccounts. Values that jobwatch would reject, or that contradict each other,
 * must fail `helm template`, and `helm lint` must pass the default values.
 */

const plane = controlPlane();
const CI_DIR = 'helm/jobwatch/ci';
const CI_FILES = readdirSync(resolve(ROOT, CI_DIR))
  .filter((name) => name.endsWith('.yaml'))
  .sort();
const RBAC_KINDS = new Set(['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding']);
/** The Secret that ci/external-redis.yaml names, as an operator would create it. */
const EXISTING_SECRETS = {
  'jobwatch-slack': {
    SLACK_BOT_TOKEN: 'xoxb-0000000000-0000000000000-existing0secret0token',
    SLACK_SIGNING_SECRET: '0existing0signing0secret0',
  },
};
const SLACK_SECRETS = ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'SLACK_APP_TOKEN'];

const tempDirs: string[] = [];

afterAll(async () => {
  await plane.dispatcher.close();
  for (const dir of tempDirs) await rm(dir, { recursive: true, force: true });
});

/** Returns a new release name, so the cluster-scoped objects of two renders never collide. */
function releaseName(): string {
  return `jw${randomBytes(3).toString('hex')}`;
}

function fullName(release: string): string {
  return `${release}-jobwatch`;
}

function render(file: string, release: string, namespace: string): Promise<Manifest[]> {
  return renderChart({ release, namespace, valuesFiles: [`${CI_DIR}/${file}`] });
}

function kubectl(args: string[], input?: string): Promise<CommandResult> {
  return runCommand('kubectl', ['--kubeconfig', plane.kubeconfig, ...args], { input: input ?? '' });
}

/**
 * Wraps objects in a v1 List, as JSON: YAML written by the yaml package follows YAML 1.2,
 * which leaves a string such as "yes" unquoted, and kubectl's YAML 1.1 reader then takes it
 * for a boolean.
 */
function toList(manifests: Manifest[]): string {
  return JSON.stringify({ apiVersion: 'v1', kind: 'List', items: manifests });
}

/** Creates a namespace with a fixed name, as the values files name them; an existing one is kept. */
async function ensureNamespace(name: string): Promise<void> {
  try {
    await plane.kube.call('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  } catch (err) {
    if (!(err instanceof KubeRequestError && err.status === 409)) throw err;
  }
}

async function applyRbac(manifests: Manifest[]): Promise<void> {
  const rbac = manifests.filter((manifest) => RBAC_KINDS.has(manifest.kind));
  for (const namespace of new Set(rbac.map((manifest) => manifest.metadata.namespace))) {
    if (namespace !== undefined) await ensureNamespace(namespace);
  }
  const result = await kubectl(['apply', '-f', '-'], toList(rbac));
  if (result.code !== 0) throw new Error(`kubectl apply of the chart's RBAC failed: ${result.stderr}`);
}

function serviceAccountUser(namespace: string, name: string): string {
  return `system:serviceaccount:${namespace}:${name}`;
}

async function canI(user: string, check: string[]): Promise<string> {
  const result = await kubectl(['auth', 'can-i', ...check, `--as=${user}`]);
  return result.stdout.trim();
}

async function canIList(user: string, namespace: string): Promise<string> {
  const result = await kubectl(['auth', 'can-i', '--list', `--as=${user}`, '-n', namespace]);
  if (result.code !== 0) throw new Error(`kubectl auth can-i --list failed: ${result.stderr}`);
  return result.stdout;
}

function deployments(manifests: Manifest[]): Workload[] {
  return ofKind<Workload>(manifests, 'Deployment');
}

function envNames(workload: Workload): string[] {
  return (jobwatchContainer(workload).env ?? []).map((variable) => variable.name);
}

function bindingSubjects(manifests: Manifest[]): string[] {
  const bindings = [...ofKind(manifests, 'RoleBinding'), ...ofKind(manifests, 'ClusterRoleBinding')];
  return bindings.flatMap((binding) =>
    ((binding['subjects'] ?? []) as { name: string }[]).map((subject) => subject.name),
  );
}

function readRules(file: string, kind: string): unknown {
  const text = readFileSync(resolve(ROOT, file), 'utf8');
  const manifests = text.split(/^---$/m).map((doc) => parse(doc) as Manifest & { rules?: unknown });
  return manifests.find((manifest) => manifest.kind === kind)?.rules;
}

/** Writes values to a file and runs `helm template` on them; `flags` are more helm options. */
async function templateValues(values: unknown, flags: string[] = []): Promise<CommandResult> {
  const dir = await mkdtemp(join(tmpdir(), 'jobwatch-helm-'));
  tempDirs.push(dir);
  const file = join(dir, 'values.yaml');
  await writeFile(file, stringify(values));
  const args = ['template', 'jobwatch', CHART_DIR, '--namespace', 'jobwatch', '--values', file, ...flags];
  return runCommand(HELM, args, { cwd: ROOT });
}

/** Adds a Redis to values, so that a render fails only on what a test adds. */
function withRedis(values: Record<string, unknown>): Record<string, unknown> {
  return { redis: { url: 'redis://redis.jobwatch.svc:6379' }, ...values };
}

function readExample(file: string): unknown {
  return parse(readFileSync(resolve(ROOT, 'examples', file), 'utf8'));
}

describe('chart with each values file in helm/jobwatch/ci', () => {
  it.each(CI_FILES)('%s passes a server-side dry run', async (file) => {
    const namespace = await createNamespace(plane.kube, 'helm-dry');
    const manifests = await render(file, releaseName(), namespace);
    // The Prometheus Operator's kinds need its CRDs, which this API server does not have.
    const core = manifests.filter((manifest) => !manifest.apiVersion.startsWith('monitoring.coreos.com/'));
    for (const name of new Set(core.map((manifest) => manifest.metadata.namespace))) {
      if (name !== undefined && name !== namespace) await ensureNamespace(name);
    }

    const result = await kubectl(['apply', '--dry-run=server', '-f', '-'], toList(core));
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const accepted = result.stdout.split('\n').filter((line) => line.endsWith('(server dry run)'));
    expect(accepted).toHaveLength(core.length);
  });

  it.each(CI_FILES)('%s runs every pod as non-root with a read-only root', async (file) => {
    const manifests = await render(file, 'jobwatch', 'jobwatch');
    const workloads = [...deployments(manifests), ...ofKind<Workload>(manifests, 'StatefulSet')];
    expect(workloads.length).toBeGreaterThan(0);
    for (const workload of workloads) {
      const pod: PodSpec = workload.spec.template.spec;
      const where = `${workload.kind}/${workload.metadata.name}`;
      expect(pod.securityContext?.['runAsNonRoot'], where).toBe(true);
      expect(pod.securityContext?.['runAsUser'], where).toBeGreaterThan(0);
      expect(pod.securityContext?.['seccompProfile'], where).toEqual({ type: 'RuntimeDefault' });
      for (const container of pod.containers) {
        expect(container.securityContext?.['allowPrivilegeEscalation'], where).toBe(false);
        expect(container.securityContext?.['readOnlyRootFilesystem'], where).toBe(true);
        expect(container.securityContext?.['capabilities'], where).toEqual({ drop: ['ALL'] });
        expect(container.resources?.requests?.['memory'], where).toBeDefined();
        expect(container.resources?.limits?.['memory'], where).toBeDefined();
        const tmp = container.volumeMounts?.find((mount) => mount.mountPath === '/tmp');
        expect(pod.volumes?.find((volume) => volume.name === tmp?.name)?.emptyDir, where).toBeDefined();
      }
    }
  });

  it.each(CI_FILES)('%s gives each jobwatch pod a valid configuration', async (file) => {
    const manifests = await render(file, 'jobwatch', 'jobwatch');
    const secrets = { ...EXISTING_SECRETS, ...secretData(manifests) };
    const configMap = findManifest<Manifest & { data?: Record<string, string> }>(manifests, 'ConfigMap', 'jobwatch');
    for (const workload of deployments(manifests)) {
      const container = jobwatchContainer(workload);
      expect(container.livenessProbe?.httpGet?.path).toBe('/healthz');
      expect(container.readinessProbe?.httpGet?.path).toBe('/readyz');
      const env = resolveEnv(container, secrets);
      const config = loadConfig(env);
      if (config.routesFile !== undefined) {
        expect(config.routesFile).toBe('/etc/jobwatch/config/routes.yaml');
        parseRoutes(configMap.data?.['routes.yaml'] ?? '', config.routesFile, {});
      }
      if (config.policyFile !== undefined) {
        expect(config.policyFile).toBe('/etc/jobwatch/config/policy.yaml');
        parsePolicy(configMap.data?.['policy.yaml'] ?? '', config.policyFile);
      }
      // A folder mount, because the kubelet never refreshes a subPath mount.
      const mount = container.volumeMounts?.find((m) => m.mountPath === '/etc/jobwatch/config');
      expect(mount?.subPath).toBeUndefined();
      const volume = workload.spec.template.spec.volumes?.find((v) => v.name === mount?.name);
      expect(volume?.configMap?.name).toBe('jobwatch');
    }
  });
});

describe('chart objects', () => {
  it('all-in-one runs every role in one Deployment', async () => {
    const manifests = await render('all-in-one.yaml', 'jobwatch', 'jobwatch');
    const [deployment, ...others] = deployments(manifests);
    expect(others).toEqual([]);
    expect(deployment?.spec.template.spec.serviceAccountName).toBe('jobwatch');
    const env = resolveEnv(jobwatchContainer(deployment as Workload), secretData(manifests));
    expect(env['JOBWATCH_ROLES']).toBe('all');
    expect(env['SLACK_BOT_TOKEN']).toMatch(/^xoxb-/);
    expect(ofKind(manifests, 'PodDisruptionBudget')).toEqual([]);
  });

  it('split roles give the Slack pods no token', async () => {
    const manifests = await render('split-roles.yaml', 'jobwatch', 'jobwatch');
    const slack = findManifest<Workload>(manifests, 'Deployment', 'jobwatch-slack');
    const slackPod = slack.spec.template.spec;
    expect(slackPod.automountServiceAccountToken).toBe(false);
    expect(slackPod.serviceAccountName).toBe('jobwatch-slack');
    const account = findManifest(manifests, 'ServiceAccount', 'jobwatch-slack');
    expect(account['automountServiceAccountToken']).toBe(false);
    expect(bindingSubjects(manifests)).not.toContain('jobwatch-slack');
    expect(resolveEnv(jobwatchContainer(slack), secretData(manifests))['JOBWATCH_ROLES']).toBe('notifier');
    expect(envNames(slack)).toEqual(expect.arrayContaining(SLACK_SECRETS));
  });

  it('split roles keep Slack tokens out of the cluster pods', async () => {
    const manifests = await render('split-roles.yaml', 'jobwatch', 'jobwatch');
    const cluster = findManifest<Workload>(manifests, 'Deployment', 'jobwatch-cluster');
    expect(cluster.spec.template.spec.serviceAccountName).toBe('jobwatch');
    expect(cluster.spec.template.spec.automountServiceAccountToken).toBeUndefined();
    expect(bindingSubjects(manifests)).toContain('jobwatch');
    const env = resolveEnv(jobwatchContainer(cluster), secretData(manifests));
    expect(env['JOBWATCH_ROLES']).toBe('watcher,worker');
    for (const name of SLACK_SECRETS) expect(envNames(cluster)).not.toContain(name);
    // The worker routes alerts, so it still needs the default channel.
    expect(env['SLACK_CHANNEL']).toBe('C0123456');
  });

  it('split roles route Slack requests to the notifier', async () => {
    const manifests = await render('split-roles.yaml', 'jobwatch', 'jobwatch');
    const service = findManifest<Manifest & { spec: { selector: Record<string, string> } }>(manifests, 'Service', 'jobwatch');
    expect(service.spec.selector['app.kubernetes.io/component']).toBe('slack');
    const budgets = ofKind(manifests, 'PodDisruptionBudget').map((budget) => budget.metadata.name);
    expect(budgets.sort()).toEqual(['jobwatch-cluster', 'jobwatch-slack']);
  });

  it('namespaced RBAC gives one Role per namespace', async () => {
    const manifests = await render('namespaced-rbac.yaml', 'jobwatch', 'jobwatch');
    const watched = ['jobwatch-ci-payments', 'jobwatch-ci-billing'];
    const reads = ofKind(manifests, 'Role').filter((role) => role.metadata.name === 'jobwatch');
    expect(reads.map((role) => role.metadata.namespace).sort()).toEqual([...watched].sort());
    for (const role of reads) expect(role['rules']).toEqual(readRules('deploy/rbac/namespaced.yaml', 'Role'));
    const bindings = ofKind(manifests, 'RoleBinding').filter((binding) => binding.metadata.name === 'jobwatch');
    expect(bindings.map((binding) => binding.metadata.namespace).sort()).toEqual([...watched].sort());
    expect(ofKind(manifests, 'ClusterRole')).toEqual([]);
    expect(ofKind(manifests, 'ClusterRoleBinding')).toEqual([]);
    const env = resolveEnv(jobwatchContainer(deployments(manifests)[0] as Workload), secretData(manifests));
    expect(env['JOBWATCH_NAMESPACES']).toBe(watched.join(','));
  });

  it('cluster-wide RBAC has the rules of deploy/rbac', async () => {
    const manifests = await render('all-in-one.yaml', 'jobwatch', 'jobwatch');
    const role = findManifest(manifests, 'ClusterRole', 'jobwatch');
    expect(role['rules']).toEqual(readRules('deploy/rbac/cluster.yaml', 'ClusterRole'));
  });

  it.each([
    ['all-in-one.yaml', 'default'],
    ['external-redis.yaml', 'prod-eu-1'],
  ])('%s lets the watcher write only its Lease', async (file, clusterName) => {
    const manifests = await render(file, 'jobwatch', 'jobwatch');
    const leases = findManifest(manifests, 'Role', 'jobwatch-leases');
    expect(leases.metadata.namespace).toBe('jobwatch');
    expect(leases['rules']).toEqual([
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
      {
        apiGroups: ['coordination.k8s.io'],
        resources: ['leases'],
        verbs: ['get', 'update'],
        resourceNames: [leaseName(clusterName)],
      },
    ]);
    const secrets = { ...EXISTING_SECRETS, ...secretData(manifests) };
    const env = resolveEnv(jobwatchContainer(deployments(manifests)[0] as Workload), secrets);
    expect(env['JOBWATCH_LEASE_NAMESPACE']).toBe('jobwatch');
    expect(env['JOBWATCH_CLUSTER_NAME']).toBe(clusterName);
  });

  it('impersonates only the identities of the policy', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'jobwatch-helm-'));
    tempDirs.push(dir);
    const policyText = readFileSync(resolve(ROOT, 'examples/policy.yaml'), 'utf8');
    const valuesFile = join(dir, 'policy-values.yaml');
    await writeFile(valuesFile, stringify({ redis: { url: 'redis://redis:6379' }, policy: parse(policyText) as unknown }));
    const manifests = await renderChart({ release: 'jobwatch', namespace: 'jobwatch', valuesFiles: [valuesFile] });

    const role = findManifest(manifests, 'ClusterRole', 'jobwatch-impersonate');
    const expected = impersonationRules(createActionPolicy(parsePolicy(policyText, 'examples/policy.yaml')));
    expect(role['rules']).toEqual(expected);
    expect(role['rules']).toEqual(readRules('deploy/rbac/impersonate.yaml', 'ClusterRole'));
  });

  it('grants no impersonation without a policy', async () => {
    const manifests = await render('internal-redis.yaml', 'jobwatch', 'jobwatch');
    const names = ofKind(manifests, 'ClusterRole').map((role) => role.metadata.name);
    expect(names).toEqual(['jobwatch']);
  });

  it('renders the Prometheus rules of deploy/prometheus', async () => {
    const manifests = await render('all-in-one.yaml', 'jobwatch', 'jobwatch');
    const rule = findManifest<Manifest & { spec: { groups: unknown } }>(manifests, 'PrometheusRule', 'jobwatch');
    const text = readFileSync(resolve(ROOT, 'deploy/prometheus/jobwatch-rules.yaml'), 'utf8');
    const documented = parse(text) as { spec: { groups: unknown } };
    expect(rule.spec.groups).toEqual(documented.spec.groups);
    expect(findManifest(manifests, 'ServiceMonitor', 'jobwatch').metadata.namespace).toBe('jobwatch');
  });

  it('gives the Lease the rules of deploy/rbac', async () => {
    const manifests = await render('all-in-one.yaml', 'jobwatch', 'jobwatch');
    const leases = findManifest(manifests, 'Role', 'jobwatch-leases');
    expect(leases['rules']).toEqual(readRules('deploy/rbac/leader-election.yaml', 'Role'));
  });

  it('internal Redis persists without eviction', async () => {
    const manifests = await render('internal-redis.yaml', 'jobwatch', 'jobwatch');
    const redis = findManifest<Workload & { spec: { volumeClaimTemplates: unknown[] } }>(manifests, 'StatefulSet', 'jobwatch-redis');
    const args = (redis.spec.template.spec.containers[0]?.args ?? []).join(' ');
    expect(args).toContain('--appendonly yes');
    expect(args).toContain('--maxmemory-policy noeviction');
    expect(args).toContain('--maxmemory 100mb');
    expect(redis.spec.volumeClaimTemplates).toHaveLength(1);
    const env = resolveEnv(jobwatchContainer(deployments(manifests)[0] as Workload), secretData(manifests));
    expect(env['REDIS_URL']).toBe('redis://jobwatch-redis.jobwatch.svc:6379');
    expect(findManifest(manifests, 'Service', 'jobwatch-redis').metadata.namespace).toBe('jobwatch');
  });

  it('external Redis with an existing Secret', async () => {
    const manifests = await render('external-redis.yaml', 'jobwatch', 'jobwatch');
    expect(ofKind(manifests, 'Secret')).toEqual([]);
    const container = jobwatchContainer(deployments(manifests)[0] as Workload);
    const refs = (container.env ?? []).flatMap((variable) => variable.valueFrom?.secretKeyRef?.name ?? []);
    expect(new Set(refs)).toEqual(new Set(['jobwatch-slack']));
    const env = resolveEnv(container, EXISTING_SECRETS);
    expect(env['REDIS_URL']).toBe('rediss://redis.example.com:6380/0');
    expect(env['SLACK_BOT_TOKEN']).toBe(EXISTING_SECRETS['jobwatch-slack'].SLACK_BOT_TOKEN);
  });
});

describe('chart RBAC applied to the API server', () => {
  let namespace = '';
  let release = '';

  beforeAll(async () => {
    namespace = await createNamespace(plane.kube, 'helm-rbac');
    release = releaseName();
    await applyRbac(await render('all-in-one.yaml', release, namespace));
  });

  it('cluster-wide install matches ci/can-i-cluster.txt', async () => {
    const list = await canIList(serviceAccountUser(namespace, fullName(release)), namespace);
    await expect(list).toMatchFileSnapshot(resolve(ROOT, CI_DIR, 'can-i-cluster.txt'));
  });

  it.each([
    ['yes', ['list', 'jobs.batch', '--all-namespaces']],
    ['yes', ['watch', 'pods', '--all-namespaces']],
    ['no', ['get', 'secrets', '--all-namespaces']],
    ['no', ['create', 'jobs.batch', '--all-namespaces']],
    ['yes', ['impersonate', 'users/slack:payments-oncall']],
    ['no', ['impersonate', 'users/slack:mallory']],
    ['no', ['impersonate', 'serviceaccounts']],
  ])('cluster-wide install returns %s for %j', async (answer, check) => {
    expect(await canI(serviceAccountUser(namespace, fullName(release)), check)).toBe(answer);
  });

  it('lets only the watcher Lease be updated', async () => {
    const user = serviceAccountUser(namespace, fullName(release));
    const own = `leases.coordination.k8s.io/${leaseName('default')}`;
    expect(await canI(user, ['create', 'leases.coordination.k8s.io', '-n', namespace])).toBe('yes');
    expect(await canI(user, ['update', own, '-n', namespace])).toBe('yes');
    expect(await canI(user, ['get', own, '-n', namespace])).toBe('yes');
    expect(await canI(user, ['update', 'leases.coordination.k8s.io/kube-scheduler', '-n', namespace])).toBe('no');
    expect(await canI(user, ['delete', own, '-n', namespace])).toBe('no');
    expect(await canI(user, ['create', 'leases.coordination.k8s.io', '-n', 'default'])).toBe('no');
  });

  it('namespaced install matches ci/can-i-namespaced.txt', async () => {
    const accountNamespace = await createNamespace(plane.kube, 'helm-rbac');
    const namespacedRelease = releaseName();
    await applyRbac(await render('namespaced-rbac.yaml', namespacedRelease, accountNamespace));
    const user = serviceAccountUser(accountNamespace, fullName(namespacedRelease));

    const list = await canIList(user, 'jobwatch-ci-payments');
    await expect(list).toMatchFileSnapshot(resolve(ROOT, CI_DIR, 'can-i-namespaced.txt'));
    expect(await canI(user, ['list', 'jobs.batch', '-n', 'jobwatch-ci-billing'])).toBe('yes');
    expect(await canI(user, ['list', 'jobs.batch', '-n', 'default'])).toBe('no');
    expect(await canI(user, ['list', 'jobs.batch', '--all-namespaces'])).toBe('no');
  });

  it('split install leaves the Slack account without access', async () => {
    const accountNamespace = await createNamespace(plane.kube, 'helm-rbac');
    const splitRelease = releaseName();
    await applyRbac(await render('split-roles.yaml', splitRelease, accountNamespace));
    const slackUser = serviceAccountUser(accountNamespace, `${fullName(splitRelease)}-slack`);
    const clusterUser = serviceAccountUser(accountNamespace, fullName(splitRelease));

    expect(await canI(clusterUser, ['list', 'jobs.batch', '--all-namespaces'])).toBe('yes');
    expect(await canI(slackUser, ['list', 'jobs.batch', '--all-namespaces'])).toBe('no');
    expect(await canI(slackUser, ['get', 'pods', '-n', accountNamespace])).toBe('no');
    expect(await canI(slackUser, ['impersonate', 'users/slack:platform-admin'])).toBe('no');
    expect(await canI(slackUser, ['create', 'leases.coordination.k8s.io', '-n', accountNamespace])).toBe('no');
  });
});

describe('chart values that jobwatch would reject', () => {
  const reserved = { users: ['U0ADMIN'], namespaces: ['*'], verbs: ['retry'] };

  it.each([
    ['user', { user: 'system:admin' }, "'/policy/rules/0/kubernetes/user': 'system:admin'"],
    ['group', { user: 'slack:admin', groups: ['system:masters'] }, "'/policy/rules/0/kubernetes/groups/0': 'system:masters'"],
    ['empty group', { user: 'slack:admin', groups: [''] }, "'/policy/rules/0/kubernetes/groups/0': ''"],
  ])('schema rejects a reserved %s', async (_case, kubernetes, problem) => {
    const result = await templateValues(withRedis({ policy: { rules: [{ ...reserved, kubernetes }] } }));
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(problem);
    expect(result.stdout).not.toContain('impersonate');
  });

  it.each([
    ['policy.rules[0].kubernetes.user is "system:admin", which is reserved', { user: 'system:admin' }],
    ['policy.rules[0].kubernetes.groups[0] is "system:masters", which is reserved', { user: 'slack:admin', groups: ['system:masters'] }],
    ['policy.rules[0].kubernetes.groups[1] is empty', { user: 'slack:admin', groups: ['jobwatch:oncall', ''] }],
  ])('template fails without the schema: %s', async (message, kubernetes) => {
    const values = withRedis({ policy: { rules: [{ ...reserved, kubernetes }] } });
    const result = await templateValues(values, ['--skip-schema-validation']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toMatch(/such as (slack:platform-admin|jobwatch:oncall)/);
    expect(result.stdout).not.toContain('impersonate');
  });

  it.each([
    ['routes', { routes: [{ match: { namespaces: ['payments'] }, chanel: '#payments' }] }, "additional properties 'chanel' not allowed"],
    ['logPatterns', { patterns: [{ name: 'crash', pattern: 'boom', cause: 'crash' }] }, "'/logPatterns/patterns/0/cause': value must be one of"],
    ['policy', { rules: [{ users: ['U0ALICE'], namespaces: ['*'], verb: ['read'] }] }, "additional properties 'verb' not allowed"],
    ['policy', { rules: [{ users: ['U0ALICE'], namespaces: ['*'], verbs: ['restart'] }] }, "'/policy/rules/0/verbs/0': value must be one of"],
  ])('schema rejects a misspelt %s file', async (key, content, problem) => {
    const result = await templateValues(withRedis({ [key]: content }));
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(problem);
  });

  it('schema accepts the example files', async () => {
    const values = withRedis({
      routes: readExample('routes.yaml'),
      policy: readExample('policy.yaml'),
      logPatterns: readExample('log-patterns.yaml'),
    });
    const result = await templateValues(values);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const demo = await templateValues(withRedis({ policy: readExample('policy.demo.yaml') }));
    expect(demo.code).toBe(0);
  });

  it.each([
    ['cluster name "-prod"', { config: { clusterName: '-prod' } }, "'/config/clusterName': '-prod' does not match"],
    ['Redis prefix ".jobwatch"', { redis: { url: 'redis://r:6379', prefix: '.jobwatch' } }, "'/redis/prefix': '.jobwatch' does not match"],
  ])('schema rejects the %s', async (_case, values, problem) => {
    const result = await templateValues(withRedis(values));
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(problem);
  });
});

describe('chart values that contradict each other', () => {
  const withoutElection = { config: { leaderElection: false } };

  it.each([
    ['replicaCount', { ...withoutElection, replicaCount: 2 }],
    ['roles.cluster.replicas', { ...withoutElection, roles: { split: true, cluster: { replicas: 3 } } }],
  ])('leaderElection false fails with several %s', async (key, values) => {
    const result = await templateValues(withRedis(values));
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('only one watcher may run without leader election');
    expect(result.stderr).toContain(`set ${key}: 1 or leave leaderElection on`);
  });

  it('leaderElection false renders one watcher', async () => {
    const single = await templateValues(withRedis(withoutElection));
    expect(single.code).toBe(0);
    const split = { ...withoutElection, roles: { split: true, cluster: { replicas: 1 }, slack: { replicas: 3 } } };
    const splitResult = await templateValues(withRedis(split));
    expect(splitResult.stderr).toBe('');
    expect(splitResult.code).toBe(0);
  });

  it('redis.url with a password fails beside existingSecret', async () => {
    const values = { existingSecret: 'jobwatch-slack', redis: { url: 'redis://:s3cret@redis:6379' } };
    const result = await templateValues(values);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('put REDIS_URL into the Secret named by existingSecret');
    expect(result.stderr).not.toContain('s3cret');
  });
});

describe('chart extraEnv', () => {
  /** Values under which the chart sets every variable it can set in one container. */
  const everything = withRedis({
    slack: { botToken: 'xoxb-0-0-extraenv', signingSecret: '0extraenv0signing0secret', appToken: 'xapp-1-extraenv', channel: '#a', apiUrl: 'http://127.0.0.1:9/api/' },
    rbac: { namespaces: ['payments'] },
    routes: { defaultChannel: '#a' },
    policy: { command: '/job' },
    logPatterns: { patterns: [{ name: 'boom', pattern: 'boom', cause: 'app-error' }] },
  });

  async function chartEnvNames(): Promise<string[]> {
    const result = await templateValues(everything);
    expect(result.stderr).toBe('');
    const manifests = parseAllDocuments(result.stdout).map((doc) => doc.toJS() as Manifest);
    return envNames(deployments(manifests)[0] as Workload);
  }

  it('rejects every variable the chart sets', async () => {
    const names = await chartEnvNames();
    expect(names).toEqual(expect.arrayContaining(['JOBWATCH_NAMESPACES', 'REDIS_URL', 'SLACK_API_URL', 'JOBWATCH_LOG_PATTERNS_FILE']));
    for (const name of names) {
      const extraEnv = [{ name, valueFrom: { secretKeyRef: { name: 'mine', key: name } } }];
      const result = await templateValues({ ...everything, extraEnv });
      expect(result.code, name).not.toBe(0);
      expect(result.stderr, name).toContain(`extraEnv[0] (${name}) names a variable the chart sets itself: set `);
    }
  });

  it('names the value to set instead', async () => {
    const result = await templateValues({ ...everything, extraEnv: [{ name: 'JOBWATCH_NAMESPACES', value: 'a,b' }] });
    expect(result.stderr).toContain('set rbac.namespaces instead');
  });

  it.each(['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'SLACK_APP_TOKEN', 'REDIS_URL'])(
    'rejects %s as a plain value',
    async (name) => {
      const result = await templateValues(withRedis({ extraEnv: [{ name, value: 'xoxb-plain-extraenv' }] }));
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain(`extraEnv[0] (${name}) is a secret written as a plain value`);
      expect(result.stderr).toContain('existingSecret');
      expect(result.stderr).not.toContain('xoxb-plain-extraenv');
    },
  );

  it.each([
    'redis://:s3cret@cache.example.com:6379',
    'rediss://worker:s3cret@cache.example.com:6380/1',
    'redis+sentinel://sentinel-0:26379/mymaster?sentinelPassword=s3cret',
  ])('rejects a plain Redis URL with a password: %s', async (url) => {
    const result = await templateValues(withRedis({ extraEnv: [{ name: 'CACHE_URL', value: url }] }));
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('extraEnv[0] (CACHE_URL) holds a Redis URL with a password');
    expect(result.stderr).not.toContain('s3cret');
  });

  it('passes other variables through', async () => {
    const extraEnv = [
      { name: 'CACHE_URL', value: 'redis://cache.example.com:6379' },
      { name: 'CACHE_PASSWORD', valueFrom: { secretKeyRef: { name: 'cache', key: 'password' } } },
    ];
    const result = await templateValues(withRedis({ extraEnv }));
    expect(result.stderr).toBe('');
    const manifests = parseAllDocuments(result.stdout).map((doc) => doc.toJS() as Manifest);
    expect(envNames(deployments(manifests)[0] as Workload)).toEqual(expect.arrayContaining(['CACHE_URL', 'CACHE_PASSWORD']));
  });
});

describe('chart lint', () => {
  it('passes the default values without a fail', async () => {
    const result = await runCommand(HELM, ['lint', CHART_DIR], { cwd: ROOT });
    expect(result.code).toBe(0);
    expect(result.stdout + result.stderr).not.toContain('funcMap fail');
  });

  it.each(CI_FILES)('passes %s without a fail', async (file) => {
    const result = await runCommand(HELM, ['lint', '--strict', CHART_DIR, '--values', resolve(ROOT, CI_DIR, file)], { cwd: ROOT });
    expect(result.code).toBe(0);
    expect(result.stdout + result.stderr).not.toContain('funcMap fail');
  });

  it('leaves install without a Redis failing', async () => {
    const result = await runCommand(HELM, ['template', 'jobwatch', CHART_DIR], { cwd: ROOT });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('so jobwatch has no Redis');
    const upgrade = await runCommand(HELM, ['template', 'jobwatch', CHART_DIR, '--is-upgrade'], { cwd: ROOT });
    expect(upgrade.code).not.toBe(0);
    expect(upgrade.stderr).toContain('so jobwatch has no Redis');
  });
});
