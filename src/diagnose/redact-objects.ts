/**
 * Redaction of the free text inside Kubernetes objects that jobwatch stores or
 * sends: status messages (a termination message can quote a connection string)
 * and the env values and command lines of a pod spec.
 */
import type { V1Container, V1ContainerState, V1ContainerStatus, V1EnvVar, V1Job, V1Pod, V1PodSpec } from '@kubernetes/client-node';
import { redactText, secretEnvNames, type RedactContext } from './redact.ts';
import { MASK } from './redact-patterns.ts';

/**
 * Returns a copy of a pod whose status messages, container state messages, env
 * values and command lines are redacted with `redactText`. An env value is masked
 * whole when its variable is Secret-filled or `NAME=value` would be masked. The
 * pod's own Secret-filled variable names are added to `context`.
 */
export function redactPod(pod: V1Pod, context: RedactContext = {}): V1Pod {
  const names = [...new Set([...(context.secretEnvNames ?? []), ...secretEnvNames(pod)])].sort();
  const redact = (text: string): string => redactText(text, { secretEnvNames: names });
  const copy = structuredClone(pod);
  if (copy.spec) copy.spec = redactPodSpec(copy.spec, redact);
  const status = copy.status;
  if (status) {
    if (status.message) status.message = redact(status.message);
    for (const condition of status.conditions ?? []) {
      if (condition.message) condition.message = redact(condition.message);
    }
    for (const list of [status.initContainerStatuses, status.containerStatuses, status.ephemeralContainerStatuses]) {
      for (const container of list ?? []) redactContainerStatus(container, redact);
    }
  }
  return copy;
}

function redactPodSpec(spec: V1PodSpec, redact: (text: string) => string): V1PodSpec {
  const containers = (list: V1Container[] | undefined): V1Container[] | undefined =>
    list?.map((container) => redactContainer(container, redact));
  const out: V1PodSpec = { ...spec, containers: containers(spec.containers) ?? [] };
  if (spec.initContainers) out.initContainers = containers(spec.initContainers) ?? [];
  return out;
}

function redactContainer(container: V1Container, redact: (text: string) => string): V1Container {
  const out: V1Container = { ...container };
  if (container.command) out.command = container.command.map(redact);
  if (container.args) out.args = container.args.map(redact);
  if (container.env) out.env = container.env.map((env) => redactEnvVar(env, redact));
  return out;
}

function redactEnvVar(env: V1EnvVar, redact: (text: string) => string): V1EnvVar {
  if (env.value === undefined || env.value === '') return env;
  const assignment = `${env.name}=${env.value}`;
  if (redact(assignment) !== assignment) return { ...env, value: MASK };
  return env;
}

function redactContainerStatus(status: V1ContainerStatus, redact: (text: string) => string): void {
  redactState(status.state, redact);
  redactState(status.lastState, redact);
}

function redactState(state: V1ContainerState | undefined, redact: (text: string) => string): void {
  if (state?.terminated?.message) state.terminated.message = redact(state.terminated.message);
  if (state?.waiting?.message) state.waiting.message = redact(state.waiting.message);
}

/**
 * Returns a copy of a Job whose pod template env values and command lines and whose
 * condition messages are redacted like `redactPod` does. Use `restoreRedactedJob`
 * to get the masked values back from the live object before creating from the copy.
 */
export function redactJob(job: V1Job): V1Job {
  const copy = structuredClone(job);
  const template = copy.spec?.template.spec;
  if (copy.spec && template) {
    const names = secretEnvNames(template);
    copy.spec.template.spec = redactPodSpec(template, (text) => redactText(text, { secretEnvNames: names }));
  }
  for (const condition of copy.status?.conditions ?? []) {
    if (condition.message) condition.message = redactText(condition.message);
  }
  return copy;
}

/** Returns true when `redactJob` masked an env value or a command line of the Job's template. */
export function hasRedactedSpec(job: V1Job): boolean {
  return templateContainers(job).some(
    (container) =>
      (container.env ?? []).some((env) => env.value?.includes(MASK) === true) ||
      [...(container.command ?? []), ...(container.args ?? [])].some((part) => part.includes(MASK)),
  );
}

/**
 * Returns a copy of `redacted` whose masked env values and command lines are taken
 * from the same container of `source`. Returns undefined when `source` lacks one of
 * them, as after a change of containers, env vars or command line lengths.
 */
export function restoreRedactedJob(redacted: V1Job, source: V1Job): V1Job | undefined {
  const copy = structuredClone(redacted);
  const sources = new Map(templateContainers(source).map((container) => [container.name, container]));
  for (const container of templateContainers(copy)) {
    const from = sources.get(container.name);
    if (!restoreContainer(container, from)) return undefined;
  }
  return hasRedactedSpec(copy) ? undefined : copy;
}

function restoreContainer(container: V1Container, from: V1Container | undefined): boolean {
  for (const env of container.env ?? []) {
    if (!env.value?.includes(MASK)) continue;
    const value = from?.env?.find((candidate) => candidate.name === env.name)?.value;
    if (value === undefined) return false;
    env.value = value;
  }
  for (const field of ['command', 'args'] as const) {
    const parts = container[field];
    if (!parts?.some((part) => part.includes(MASK))) continue;
    const original = from?.[field];
    if (original?.length !== parts.length) return false;
    container[field] = parts.map((part, i) => (part.includes(MASK) ? (original[i] ?? part) : part));
  }
  return true;
}

function templateContainers(job: V1Job): V1Container[] {
  const spec = job.spec?.template.spec;
  return [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])];
}
