import { resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { runCommand } from '../support/run-command.ts';

/** Helpers that render the chart with the real helm and read the manifests it writes. */

export const ROOT = resolve(import.meta.dirname, '../..');
export const CHART_DIR = resolve(ROOT, 'helm/jobwatch');
/** Builds helm into the cache on its first run, then runs it. */
export const HELM = resolve(ROOT, 'deploy/tools/helm.sh');

/** One rendered Kubernetes object, typed only as far as the checks read it. */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean } };
}

export interface Container {
  name: string;
  args?: string[];
  env?: EnvVar[];
  securityContext?: Record<string, unknown>;
  volumeMounts?: { name: string; mountPath: string; subPath?: string }[];
  livenessProbe?: { httpGet?: { path: string } };
  readinessProbe?: { httpGet?: { path: string } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
}

export interface PodSpec {
  serviceAccountName?: string;
  automountServiceAccountToken?: boolean;
  securityContext?: Record<string, unknown>;
  containers: Container[];
  volumes?: { name: string; emptyDir?: object; configMap?: { name: string } }[];
}

export interface Workload extends Manifest {
  spec: { replicas: number; template: { spec: PodSpec } };
}

/** Options of {@link renderChart}. */
export interface RenderOptions {
  release: string;
  namespace: string;
  /** Values files, such as `helm/jobwatch/ci/all-in-one.yaml`, relative to the repository. */
  valuesFiles?: string[];
  /** `--set` arguments, such as `rbac.namespaces={a,b}`. */
  set?: string[];
}

/** Renders the chart with `helm template` and parses every object it prints. */
export async function renderChart(options: RenderOptions): Promise<Manifest[]> {
  const args = ['template', options.release, CHART_DIR, '--namespace', options.namespace];
  for (const file of options.valuesFiles ?? []) args.push('--values', resolve(ROOT, file));
  for (const value of options.set ?? []) args.push('--set', value);
  const result = await runCommand(HELM, args, { cwd: ROOT });
  if (result.code !== 0) {
    throw new Error(`helm ${args.join(' ')} failed with exit code ${String(result.code)}: ${result.stderr}`);
  }
  return parseAllDocuments(result.stdout)
    .map((doc) => doc.toJS() as Manifest | null)
    .filter((manifest): manifest is Manifest => manifest !== null);
}

/** Returns the objects of one kind. */
export function ofKind<T extends Manifest = Manifest>(manifests: Manifest[], kind: string): T[] {
  return manifests.filter((manifest) => manifest.kind === kind) as T[];
}

/** Returns the one object of a kind and name, and throws naming both when it is missing. */
export function findManifest<T extends Manifest = Manifest>(manifests: Manifest[], kind: string, name: string): T {
  const found = manifests.find((manifest) => manifest.kind === kind && manifest.metadata.name === name);
  if (found === undefined) {
    const present = manifests.map((manifest) => `${manifest.kind}/${manifest.metadata.name}`).join(', ');
    throw new Error(`the render has no ${kind}/${name}; it has ${present}`);
  }
  return found as T;
}

/** Returns the container named `jobwatch` of a workload. */
export function jobwatchContainer(workload: Workload): Container {
  const container = workload.spec.template.spec.containers.find((c) => c.name === 'jobwatch');
  if (container === undefined) throw new Error(`${workload.kind}/${workload.metadata.name} has no jobwatch container`);
  return container;
}

/**
 * Resolves a container's environment as the kubelet would: plain values, and keys of the
 * given Secrets. An optional key that is missing leaves its variable unset, and a required
 * one throws, because the pod would not start.
 */
export function resolveEnv(container: Container, secrets: Record<string, Record<string, string>>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const variable of container.env ?? []) {
    if (variable.value !== undefined) {
      env[variable.name] = variable.value;
      continue;
    }
    const ref = variable.valueFrom?.secretKeyRef;
    if (ref === undefined) throw new Error(`${variable.name} has neither a value nor a secretKeyRef`);
    const value = secrets[ref.name]?.[ref.key];
    if (value !== undefined) env[variable.name] = value;
    else if (ref.optional !== true) throw new Error(`${variable.name} needs key ${ref.key} of Secret ${ref.name}, which is missing`);
  }
  return env;
}

/** Returns the `stringData` of every rendered Secret, by name. */
export function secretData(manifests: Manifest[]): Record<string, Record<string, string>> {
  const data: Record<string, Record<string, string>> = {};
  for (const secret of ofKind<Manifest & { stringData?: Record<string, string> | null }>(manifests, 'Secret')) {
    data[secret.metadata.name] = secret.stringData ?? {};
  }
  return data;
}
