import type { V1Container, V1CronJob, V1JobSpec } from '@kubernetes/client-node';
import type { LimitCeilings } from '../config/policy.ts';
import type { CauseId } from '../diagnose/types.ts';
import {
  compareQuantities,
  formatBytes,
  parseQuantity,
  roundUpBytes,
  scaleUp,
  toBytes,
  toMillicores,
  type Quantity,
} from './quantity.ts';
import type { ContainerResources, LimitValues } from './types.ts';

/** A Job, or a CronJob's jobTemplate: anything with a Job spec. */
export interface JobLike {
  spec?: V1JobSpec | undefined;
}

type ResourceName = 'cpu' | 'memory';
type ResourceGroup = 'requests' | 'limits';
const RESOURCES: ResourceName[] = ['cpu', 'memory'];
const GROUPS: ResourceGroup[] = ['requests', 'limits'];
const INT32_MAX = 2_147_483_647;

/** Reads backoffLimit, activeDeadlineSeconds and every container's cpu and memory, init containers last. */
export function currentLimits(source: JobLike): LimitValues {
  const spec = source.spec;
  const values: LimitValues = { containers: [] };
  if (spec?.backoffLimit !== undefined) values.backoffLimit = spec.backoffLimit;
  if (spec?.activeDeadlineSeconds !== undefined) values.activeDeadlineSeconds = spec.activeDeadlineSeconds;
  const pod = spec?.template.spec;
  for (const container of pod?.containers ?? []) values.containers.push(readResources(container, false));
  for (const container of pod?.initContainers ?? []) values.containers.push(readResources(container, true));
  return values;
}

function readResources(container: V1Container, init: boolean): ContainerResources {
  const read = (group: ResourceGroup): { cpu?: string; memory?: string } => {
    const found: { cpu?: string; memory?: string } = {};
    for (const resource of RESOURCES) {
      const value: unknown = container.resources?.[group]?.[resource];
      // Raw JSON may carry a number where the typed model promises a string.
      if (typeof value === 'string' || typeof value === 'number') found[resource] = String(value);
    }
    return found;
  };
  const resources: ContainerResources = { name: container.name, requests: read('requests'), limits: read('limits') };
  if (init) resources.init = true;
  return resources;
}

/** Inputs of {@link suggestLimits} besides the current values. */
export interface SuggestOptions {
  cause: CauseId;
  /** The reason of the Job's `Failed` condition; a flaky failure is raised only on `BackoffLimitExceeded`. */
  reason?: string | null;
  /** The container the cause was read from; default: every container with a memory limit. */
  container?: string;
  /** The highest memory use observed, as a quantity, when known. */
  peakMemory?: string;
  ceiling: LimitCeilings;
}

// Causes where the same spec may pass on a later attempt, so more retries can help.
const FLAKY_CAUSES: ReadonlySet<CauseId> = new Set(['app-error', 'app-crash', 'dependency-unavailable', 'node-disruption']);
const MEMORY_FACTOR = 1.5;
const DEADLINE_FACTOR = 2;
const EXTRA_RETRIES = 2;
const DEFAULT_BACKOFF_LIMIT = 6;

/**
 * Suggests new values for a failure cause. An OOM kill raises the memory limit to 1.5 × the
 * larger of the limit and `peakMemory`, rounded up to a clean Mi or Gi value. A deadline
 * doubles `activeDeadlineSeconds`. A flaky failure that used up its retries adds 2 to
 * `backoffLimit`. Nothing goes above the ceiling, and `reasons` lists each change and why.
 */
export function suggestLimits(values: LimitValues, options: SuggestOptions): { values: LimitValues; reasons: string[] } {
  const next = structuredClone(values);
  if (options.cause === 'oom-killed') return { values: next, reasons: raiseMemory(next, options) };
  if (options.cause === 'deadline-exceeded') return { values: next, reasons: raiseDeadline(next, options.ceiling) };
  if (FLAKY_CAUSES.has(options.cause) && (options.reason ?? 'BackoffLimitExceeded') === 'BackoffLimitExceeded') {
    return { values: next, reasons: raiseBackoff(next, options.ceiling) };
  }
  return { values: next, reasons: [`no limit change is suggested for the cause ${options.cause}`] };
}

function raiseMemory(values: LimitValues, options: SuggestOptions): string[] {
  const targets = values.containers.filter((c) =>
    options.container === undefined ? !c.init && c.limits.memory !== undefined : c.name === options.container,
  );
  if (targets.length === 0) return ['no container has a memory limit to raise'];
  const peak = options.peakMemory === undefined ? undefined : toBytes(parseQuantity(options.peakMemory));
  return targets.map((container) => raiseContainerMemory(container, peak, options.ceiling));
}

function raiseContainerMemory(container: ContainerResources, peak: bigint | undefined, ceiling: LimitCeilings): string {
  const label = containerLabel(container);
  const current = container.limits.memory;
  const limit = current === undefined ? undefined : toBytes(parseQuantity(current));
  if (current === undefined || limit === undefined) return `${label} has no whole-byte memory limit to raise`;
  const ceilingBytes = toBytes(parseQuantity(ceiling.memory.quantity)) ?? limit;
  if (limit >= ceilingBytes) {
    return `${label}: memory limit ${current} is already at the ceiling of ${ceiling.memory.quantity}; raise the ceiling in the policy file first`;
  }
  const base = peak !== undefined && peak > limit ? peak : limit;
  let raised = roundUpBytes(scaleUp(base, MEMORY_FACTOR));
  let why = `${MEMORY_FACTOR} × the ${base === limit ? 'limit' : 'observed peak'}, rounded up`;
  if (raised > ceilingBytes) {
    raised = ceilingBytes;
    why = `capped at the ceiling of ${ceiling.memory.quantity}`;
  }
  const memory = formatBytes(raised);
  // A request equal to the limit keeps the pod in the Guaranteed QoS class, so it moves too.
  if (container.requests.memory !== undefined && sameQuantity(container.requests.memory, current)) container.requests.memory = memory;
  container.limits.memory = memory;
  return `${label}: memory limit ${current} → ${memory} (${why})`;
}

function raiseDeadline(values: LimitValues, ceiling: LimitCeilings): string[] {
  const current = values.activeDeadlineSeconds;
  if (current === undefined) return ['the Job has no activeDeadlineSeconds to raise'];
  if (current >= ceiling.activeDeadlineSeconds) {
    return [`activeDeadlineSeconds ${current} is already at the ceiling of ${ceiling.activeDeadlineSeconds}`];
  }
  const doubled = current * DEADLINE_FACTOR;
  values.activeDeadlineSeconds = Math.min(doubled, ceiling.activeDeadlineSeconds);
  const why = doubled > ceiling.activeDeadlineSeconds ? 'capped at the ceiling' : `${DEADLINE_FACTOR} × the deadline the Job ran past`;
  return [`activeDeadlineSeconds ${current} → ${values.activeDeadlineSeconds} (${why})`];
}

function raiseBackoff(values: LimitValues, ceiling: LimitCeilings): string[] {
  const current = values.backoffLimit ?? DEFAULT_BACKOFF_LIMIT;
  if (current >= ceiling.backoffLimit) return [`backoffLimit ${current} is already at the ceiling of ${ceiling.backoffLimit}`];
  const raised = current + EXTRA_RETRIES;
  values.backoffLimit = Math.min(raised, ceiling.backoffLimit);
  const why = raised > ceiling.backoffLimit ? 'capped at the ceiling' : `${EXTRA_RETRIES} more retries for a failure that may pass`;
  return [`backoffLimit ${current} → ${values.backoffLimit} (${why})`];
}

function containerLabel(container: { name: string; init?: boolean }): string {
  return `${container.init === true ? 'init container' : 'container'} ${container.name}`;
}

function sameQuantity(a: string, b: string): boolean {
  return compareQuantities(parseQuantity(a), parseQuantity(b)) === 0;
}

/** The raise-limits form as submitted: every value a raw string, empty meaning unset. */
export interface LimitFormInput {
  backoffLimit?: string;
  activeDeadlineSeconds?: string;
  containers: Array<{
    name: string;
    init?: boolean;
    requests: { cpu?: string; memory?: string };
    limits: { cpu?: string; memory?: string };
  }>;
}

/** Builds the form field id of one container value, such as `container.main.limits.memory`. */
export function limitFieldId(container: { name: string; init?: boolean }, group: ResourceGroup, resource: ResourceName): string {
  return `${container.init === true ? 'init' : 'container'}.${container.name}.${group}.${resource}`;
}

/**
 * Checks the form: whole numbers for backoffLimit (0 or more) and activeDeadlineSeconds
 * (1 or more), valid quantities, whole bytes for memory, whole millicores for cpu, no
 * request above its limit, nothing above the ceiling. Errors are keyed by field id
 * (`backoffLimit`, `activeDeadlineSeconds` or {@link limitFieldId}).
 */
export function validateLimits(
  input: LimitFormInput,
  ceiling: LimitCeilings,
): { values: LimitValues } | { errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const values: LimitValues = { containers: [] };
  const backoff = readCount(input.backoffLimit, 'backoffLimit', 0, ceiling.backoffLimit, 'retries', errors);
  if (backoff !== undefined) values.backoffLimit = backoff;
  const deadline = readCount(input.activeDeadlineSeconds, 'activeDeadlineSeconds', 1, ceiling.activeDeadlineSeconds, 'seconds', errors);
  if (deadline !== undefined) values.activeDeadlineSeconds = deadline;
  for (const container of input.containers) values.containers.push(readContainer(container, ceiling, errors));
  return Object.keys(errors).length > 0 ? { errors } : { values };
}

function readCount(
  raw: string | undefined,
  field: string,
  min: number,
  max: number,
  unit: string,
  errors: Record<string, string>,
): number | undefined {
  const text = raw?.trim() ?? '';
  if (text === '') return undefined;
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > INT32_MAX) {
    errors[field] = `"${raw}" is not a valid ${field}: use a whole number of ${unit} from ${min}`;
    return undefined;
  }
  const value = Number(text);
  if (value > max) {
    errors[field] = `${field} ${value} is above the ceiling of ${max}: use ${max} or less, or raise the ceiling in the policy file`;
    return undefined;
  }
  return value;
}

function readContainer(
  container: LimitFormInput['containers'][number],
  ceiling: LimitCeilings,
  errors: Record<string, string>,
): ContainerResources {
  const resources: ContainerResources = { name: container.name, requests: {}, limits: {} };
  if (container.init === true) resources.init = true;
  const parsed: Partial<Record<`${ResourceGroup}.${ResourceName}`, Quantity>> = {};
  for (const group of GROUPS) {
    for (const resource of RESOURCES) {
      const field = limitFieldId(container, group, resource);
      const text = container[group][resource]?.trim() ?? '';
      if (text === '') continue;
      const problem = quantityError(text, resource, ceiling);
      if (problem !== undefined) errors[field] = problem;
      else {
        resources[group][resource] = text;
        parsed[`${group}.${resource}`] = parseQuantity(text);
      }
    }
  }
  for (const resource of RESOURCES) {
    const request = parsed[`requests.${resource}`];
    const limit = parsed[`limits.${resource}`];
    if (request && limit && compareQuantities(request, limit) > 0) {
      errors[limitFieldId(container, 'requests', resource)] =
        `requests.${resource} ${request.text} is above limits.${resource} ${limit.text}: lower the request or raise the limit`;
    }
  }
  return resources;
}

function quantityError(text: string, resource: ResourceName, ceiling: LimitCeilings): string | undefined {
  let quantity: Quantity;
  try {
    quantity = parseQuantity(text);
  } catch (err) {
    return (err as Error).message;
  }
  const example = resource === 'memory' ? '512Mi or 2Gi' : '250m or 2';
  if (quantity.negative) return `"${text}" is negative: use a positive ${resource} quantity such as ${example}`;
  if (resource === 'memory' && toBytes(quantity) === undefined) {
    return `"${text}" is not a whole number of bytes: use a memory quantity such as ${example}`;
  }
  if (resource === 'cpu' && toMillicores(quantity) === undefined) {
    return `"${text}" is finer than 1m: use whole millicores such as ${example}`;
  }
  const limit = ceiling[resource].quantity;
  if (compareQuantities(quantity, parseQuantity(limit)) > 0) {
    return `${resource} ${text} is above the ceiling of ${limit}: use ${limit} or less, or raise the ceiling in the policy file`;
  }
  return undefined;
}

/**
 * Returns a copy of `source` with `values` written in: only fields whose value changed are
 * touched, an unset value removes the field, and containers not in `values` stay as they are.
 * `values` is the whole desired state, as {@link currentLimits} reads it and the form edits it.
 * Throws when `values` names a container the spec lacks.
 */
export function applyLimits<T extends JobLike>(source: T, values: LimitValues): T {
  const copy = structuredClone(source);
  const spec = copy.spec;
  if (!spec) throw new Error('cannot apply limits: the Job has no spec');
  setCount(spec, 'backoffLimit', values.backoffLimit);
  setCount(spec, 'activeDeadlineSeconds', values.activeDeadlineSeconds);
  for (const desired of values.containers) {
    const list = desired.init === true ? spec.template.spec?.initContainers : spec.template.spec?.containers;
    const container = list?.find((c) => c.name === desired.name);
    if (!container) throw new Error(`cannot apply limits: the Job has no ${containerLabel(desired)}`);
    applyResources(container, desired);
  }
  return copy;
}

function setCount(spec: V1JobSpec, field: 'backoffLimit' | 'activeDeadlineSeconds', value: number | undefined): void {
  if (value === undefined) delete spec[field];
  else spec[field] = value;
}

function applyResources(container: V1Container, desired: ContainerResources): void {
  const resources = container.resources ?? {};
  for (const group of GROUPS) {
    const current: Record<string, string> = { ...resources[group] };
    for (const resource of RESOURCES) {
      const wanted = desired[group][resource];
      const had = current[resource];
      if (wanted === undefined) delete current[resource];
      else if (had === undefined || !sameQuantity(String(had), wanted)) current[resource] = wanted;
    }
    if (Object.keys(current).length > 0) resources[group] = current;
    else delete resources[group];
  }
  if (Object.keys(resources).length > 0) container.resources = resources;
  else delete container.resources;
}

/** Lists what changed as lines such as `container main: limits.memory 512Mi → 768Mi`. */
export function diffLimits(before: LimitValues, after: LimitValues): string[] {
  const lines: string[] = [];
  for (const field of ['backoffLimit', 'activeDeadlineSeconds'] as const) {
    if (before[field] !== after[field]) lines.push(`${field} ${show(before[field])} → ${show(after[field])}`);
  }
  for (const next of after.containers) {
    const prior = before.containers.find((c) => c.name === next.name && (c.init === true) === (next.init === true));
    for (const group of GROUPS) {
      for (const resource of RESOURCES) {
        const was = prior?.[group][resource];
        const now = next[group][resource];
        if (was === now || (was !== undefined && now !== undefined && sameQuantity(was, now))) continue;
        lines.push(`${containerLabel(next)}: ${group}.${resource} ${show(was)} → ${show(now)}`);
      }
    }
  }
  return lines;
}

function show(value: string | number | undefined): string {
  return value === undefined ? '(unset)' : String(value);
}

/**
 * Builds a JSON merge patch (RFC 7386) of a CronJob's jobTemplate that sets `values`. A merge
 * patch replaces a list whole, so a changed `containers` or `initContainers` list is sent in
 * full, copied from the current template with only the resource fields altered. The patch
 * carries the CronJob's resourceVersion, so the API server returns 409 Conflict when the
 * template changed after it was read instead of losing that change. Returns `{}` when
 * nothing changes.
 */
export function cronJobPatch(cronJob: V1CronJob, values: LimitValues): Record<string, unknown> {
  const template = cronJob.spec?.jobTemplate ?? {};
  const before = template.spec;
  const after = applyLimits(template, values).spec;
  if (!before || !after) throw new Error(`cannot patch CronJob ${cronJob.metadata?.name ?? ''}: it has no jobTemplate.spec`);
  const jobSpec: Record<string, unknown> = {};
  for (const field of ['backoffLimit', 'activeDeadlineSeconds'] as const) {
    if (before[field] !== after[field]) jobSpec[field] = after[field] ?? null;
  }
  const podSpec: Record<string, unknown> = {};
  for (const list of ['containers', 'initContainers'] as const) {
    const next = after.template.spec?.[list];
    if (JSON.stringify(before.template.spec?.[list]) !== JSON.stringify(next)) podSpec[list] = next;
  }
  if (Object.keys(podSpec).length > 0) jobSpec['template'] = { spec: podSpec };
  if (Object.keys(jobSpec).length === 0) return {};
  const patch: Record<string, unknown> = { spec: { jobTemplate: { spec: jobSpec } } };
  const resourceVersion = cronJob.metadata?.resourceVersion;
  if (resourceVersion !== undefined) patch['metadata'] = { resourceVersion };
  return patch;
}
