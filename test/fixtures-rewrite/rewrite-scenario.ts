import type { V1Container, V1CronJob, V1Job, V1Pod } from '@kubernetes/client-node';
import type { Scenario } from '../../src/diagnose/scenario.ts';

/**
 * Rewrites a scenario the way another cluster would show the same failure.
 * It renames the Job, CronJob, containers, namespaces, nodes, images, claims,
 * Secrets and the hosts in log lines and messages. It changes memory and
 * storage limits, backoffLimit, activeDeadlineSeconds and ports, and shuffles
 * object and log order. Exit codes and the reason strings Kubernetes writes
 * stay as they are. The same seed always gives the same rewrite.
 * `expected.evidence` goes through the same renaming, so it still names the
 * rewritten values.
 */
export function rewriteScenario(scenario: Scenario, seed: number): Scenario {
  const random = mulberry32(seed);
  const copy = structuredClone(scenario);
  const names = new NameMap(random);
  collectNames(copy, names);
  const numbers = collectNumbers(copy, random);
  const rewrite = (text: string) => numbers.apply(names.apply(text));
  const objects = copy.objects.map((o) => mapStrings(o, '', rewrite)) as Scenario['objects'];
  rewriteSpecNumbers(objects, random, numbers);
  return {
    ...copy,
    objects: shuffle(objects, random),
    logs: shuffle(
      copy.logs.map((l) => ({ ...l, namespace: rewrite(l.namespace), pod: rewrite(l.pod), container: rewrite(l.container), text: rewrite(l.text) })),
      random,
    ),
    expected: { ...copy.expected, evidence: copy.expected.evidence.map((e) => numbers.applyExact(rewrite(e))) },
  };
}

const WORDS = ['amber', 'birch', 'cedar', 'delta', 'ember', 'fjord', 'garnet', 'harbor', 'indigo', 'juniper', 'kestrel', 'lumen', 'maple', 'nova', 'onyx', 'quartz', 'raven', 'sierra', 'tundra', 'willow'];
/** Names that are Kubernetes vocabulary as well as object names; renaming them would change reason strings. */
const KEEP = new Set(['default', 'kube-system']);
const HOST = /\b[a-z][a-z0-9-]*(?:\.[a-z0-9-]+)+\.(?:svc|local|internal|com|org|net|io|example|dev)\b/g;
const PROTECTED_HOST = /kubernetes\.io|k8s\.io|^github\.com$|^cluster\.local$/;
const PORTS = [5432, 3306, 6379, 27017, 9092, 8080, 443];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-/;
const SKIP_KEYS = new Set(['uid', 'resourceVersion', 'containerID', 'imageID']);

class NameMap {
  readonly map = new Map<string, string>();
  private pattern: RegExp | undefined;
  private readonly random: () => number;

  constructor(random: () => number) {
    this.random = random;
  }

  add(old: string | undefined, prefix: string): void {
    if (old === undefined || old.length < 2 || KEEP.has(old) || this.map.has(old)) return;
    const word = WORDS[Math.floor(this.random() * WORDS.length)] ?? 'zeta';
    this.map.set(old, `${prefix}${word}${this.map.size}${Math.floor(this.random() * 90 + 10)}`);
    this.pattern = undefined;
  }

  apply(text: string): string {
    if (this.map.size === 0) return text;
    this.pattern ??= new RegExp(
      `(?<![A-Za-z0-9_])(${[...this.map.keys()].sort((a, b) => b.length - a.length).map(escape).join('|')})(?![A-Za-z0-9_])`,
      'g',
    );
    return text.replace(this.pattern, (found) => this.map.get(found) ?? found);
  }
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function containersOf(spec: { containers?: V1Container[]; initContainers?: V1Container[] } | undefined): V1Container[] {
  return [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])];
}

function collectNames(scenario: Scenario, names: NameMap): void {
  for (const object of scenario.objects) {
    names.add(object.metadata?.namespace, 'ns-');
    if (['Job', 'CronJob', 'PersistentVolumeClaim', 'Secret', 'ConfigMap', 'Node'].includes(object.kind ?? '')) {
      names.add(object.metadata?.name, object.kind === 'Node' ? 'node-' : 'obj-');
    }
    if (object.kind === 'Pod') {
      const pod = object as V1Pod;
      names.add(pod.spec?.nodeName, 'node-');
      for (const container of containersOf(pod.spec)) {
        names.add(container.name, 'c-');
        const repository = container.image?.replace(/[:@][^:/@]*$/, '');
        names.add(repository, 'registry.test/img-');
        for (const env of container.env ?? []) {
          if (/HOST$/.test(env.name) && env.value !== undefined) names.add(env.value, 'host-');
        }
      }
    }
  }
  const texts = [
    ...scenario.logs.map((l) => l.text),
    ...scenario.objects.map((o) => (o as { message?: string }).message ?? ''),
  ];
  for (const text of texts) {
    for (const host of text.match(HOST) ?? []) {
      if (!PROTECTED_HOST.test(host)) names.add(host, 'host-');
    }
    for (const quoted of text.matchAll(/\bhost "([^"]+)"/g)) names.add(quoted[1], 'host-');
  }
}

interface NumberMap {
  apply(text: string): string;
  /** Maps evidence strings that are exactly a renumbered value, such as a deadline "3600". */
  applyExact(text: string): string;
  exact: Map<string, string>;
}

function collectNumbers(scenario: Scenario, random: () => number): NumberMap {
  const quantities = new Map<string, string>();
  for (const object of scenario.objects) {
    if (object.kind !== 'Pod') continue;
    for (const container of containersOf((object as V1Pod).spec)) {
      for (const group of [container.resources?.limits, container.resources?.requests]) {
        for (const key of ['memory', 'ephemeral-storage']) {
          const value = group?.[key];
          const found = value === undefined ? null : /^(\d+)([KMGT]i)$/.exec(String(value));
          if (found === null || quantities.has(found[0])) continue;
          const factor = 2 + Math.floor(random() * 4);
          quantities.set(found[0], `${Number(found[1]) * factor}${found[2]}`);
        }
      }
    }
  }
  const portShift = 10000 + Math.floor(random() * 5) * 1000;
  const exact = new Map<string, string>();
  for (const port of PORTS) exact.set(String(port), String(port + portShift));
  const quantityPattern = quantities.size === 0 ? undefined : new RegExp(`(?<![\\d.])(${[...quantities.keys()].map(escape).join('|')})(?![A-Za-z0-9])`, 'g');
  const portPattern = new RegExp(`(?<=[:\\s\`'"])(${PORTS.join('|')})(?![0-9])`, 'g');
  return {
    exact,
    apply: (text) => {
      const sized = quantityPattern === undefined ? text : text.replace(quantityPattern, (q) => quantities.get(q) ?? q);
      return sized.replace(portPattern, (p) => exact.get(p) ?? p);
    },
    applyExact: (text) => exact.get(text) ?? text,
  };
}

function rewriteSpecNumbers(objects: Scenario['objects'], random: () => number, numbers: NumberMap): void {
  for (const object of objects) {
    let spec: V1Job['spec'];
    if (object.kind === 'Job') spec = (object as V1Job).spec;
    if (object.kind === 'CronJob') spec = (object as V1CronJob).spec?.jobTemplate.spec;
    if (spec === undefined) continue;
    if (spec.backoffLimit !== undefined && spec.backoffLimit < 1000) spec.backoffLimit += 1 + Math.floor(random() * 3);
    if (spec.activeDeadlineSeconds !== undefined) {
      const next = spec.activeDeadlineSeconds + 60 * (1 + Math.floor(random() * 30));
      numbers.exact.set(String(spec.activeDeadlineSeconds), String(next));
      spec.activeDeadlineSeconds = next;
    }
  }
}

function mapStrings(value: unknown, key: string, fn: (text: string) => string): unknown {
  if (typeof value === 'string') {
    if (SKIP_KEYS.has(key) || UUID.test(value) || /Time(stamp)?$|^startedAt$|^finishedAt$/.test(key)) return value;
    return fn(value);
  }
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, key, fn));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, k, fn)]));
  }
  return value;
}

function shuffle<T>(items: T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** Returns a small seeded PRNG (mulberry32), so that every seed gives one fixed rewrite. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
