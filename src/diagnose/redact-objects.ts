/**
 * Redaction of the free text inside Kubernetes objects that jobwatch stores or
 * sends: status messages (a termination message can quote a connection string)
 * and the env values and command lines of a pod spec.
 */
import type { V1Container, V1ContainerState, V1ContainerStatus, V1EnvVar, V1Pod, V1PodSpec } from '@kubernetes/client-node';
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
