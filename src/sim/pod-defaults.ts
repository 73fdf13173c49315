/**
 * Defaults that kube-apiserver v1.37 writes into a pod spec (`SetDefaults_PodSpec`,
 * `SetDefaults_Container` and friends), for pods and for the pod templates of Jobs and
 * CronJobs. Only the fields that Job manifests commonly leave out are modelled.
 */

type Fields = Record<string, unknown>;

function isObject(value: unknown): value is Fields {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** `Always` for `:latest` or an untagged image without a digest, else `IfNotPresent`. */
export function defaultPullPolicy(image: unknown): string {
  if (typeof image !== 'string') return 'IfNotPresent';
  if (image.includes('@')) return 'IfNotPresent';
  const lastPart = image.slice(image.lastIndexOf('/') + 1);
  const tag = lastPart.includes(':') ? lastPart.slice(lastPart.indexOf(':') + 1) : '';
  return tag === '' || tag === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultContainer(container: Fields): void {
  container['resources'] ??= {};
  container['terminationMessagePath'] ??= '/dev/termination-log';
  container['terminationMessagePolicy'] ??= 'File';
  container['imagePullPolicy'] ??= defaultPullPolicy(container['image']);
  const ports = container['ports'];
  if (Array.isArray(ports)) {
    for (const port of ports) if (isObject(port)) port['protocol'] ??= 'TCP';
  }
  const env = container['env'];
  if (Array.isArray(env)) {
    for (const variable of env) {
      const fieldRef = isObject(variable) ? (variable['valueFrom'] as Fields | undefined)?.['fieldRef'] : undefined;
      if (isObject(fieldRef)) fieldRef['apiVersion'] ??= 'v1';
    }
  }
}

function defaultVolume(volume: Fields): void {
  for (const source of ['secret', 'configMap']) {
    const value = volume[source];
    if (isObject(value)) value['defaultMode'] ??= 420;
  }
  const hostPath = volume['hostPath'];
  if (isObject(hostPath)) hostPath['type'] ??= '';
  const emptyDir = volume['emptyDir'];
  if (emptyDir === null) volume['emptyDir'] = {};
}

function eachObject(list: unknown, visit: (item: Fields) => void): void {
  if (!Array.isArray(list)) return;
  for (const item of list) if (isObject(item)) visit(item);
}

/** Writes the pod spec defaults in place and returns the same object. */
export function defaultPodSpec(spec: Fields): Fields {
  eachObject(spec['containers'], defaultContainer);
  eachObject(spec['initContainers'], defaultContainer);
  eachObject(spec['volumes'], defaultVolume);
  spec['terminationGracePeriodSeconds'] ??= 30;
  spec['dnsPolicy'] ??= 'ClusterFirst';
  spec['securityContext'] ??= {};
  spec['schedulerName'] ??= 'default-scheduler';
  return spec;
}

/**
 * Writes the defaults of a pod template in place: an empty `metadata` when absent, as the
 * real server returns it, and the pod spec defaults.
 */
export function defaultPodTemplate(template: Fields): Fields {
  template['metadata'] ??= {};
  if (!isObject(template['spec'])) template['spec'] = {};
  defaultPodSpec(template['spec'] as Fields);
  return template;
}

/**
 * Writes what a new Pod gets from the real server beyond its spec defaults: the
 * DefaultTolerationSeconds admission tolerations, priority, preemption policy and service
 * links, and `restartPolicy: Always` when absent.
 */
export function defaultNewPod(spec: Fields): Fields {
  defaultPodSpec(spec);
  spec['restartPolicy'] ??= 'Always';
  spec['enableServiceLinks'] ??= true;
  spec['preemptionPolicy'] ??= 'PreemptLowerPriority';
  spec['priority'] ??= 0;
  const tolerations = Array.isArray(spec['tolerations']) ? [...(spec['tolerations'] as Fields[])] : [];
  for (const key of ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable']) {
    if (!tolerations.some((t) => t['key'] === key && t['effect'] === 'NoExecute')) {
      tolerations.push({ effect: 'NoExecute', key, operator: 'Exists', tolerationSeconds: 300 });
    }
  }
  spec['tolerations'] = tolerations;
  return spec;
}
