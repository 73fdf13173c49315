import { parseDocument } from 'yaml';
import { ConfigError } from './config-error.ts';
import { readConfigFile } from './config-file.ts';
import { matchesLabels, type LabelSelector } from './label-selector.ts';
import { documentData, schemaProblems, yamlProblems } from './routes-problems.ts';
import {
  NOTIFY_MODES,
  routesFileSchema,
  type NotifyMode,
  type RoutesFile,
} from './routes-schema.ts';
import { checkSlackChannel } from './slack-channel.ts';
import { DEFAULT_CLUSTER } from '../queue/cluster-names.ts';

export type { NotifyMode } from './routes-schema.ts';

/** Annotation on a Job or CronJob that names the Slack channel for its alerts. */
export const CHANNEL_ANNOTATION = 'jobwatch.io/channel';
/** Annotation on a Job or CronJob that sets `first-failure` or `final-only`. */
export const NOTIFY_ANNOTATION = 'jobwatch.io/notify';
/** Annotation on a Job or CronJob that, set to `"true"`, silences its alerts. */
export const IGNORE_ANNOTATION = 'jobwatch.io/ignore';

/** One entry of `routes`, in file order. */
export interface Route {
  /** `routes[1]`, followed by the route's `name` in brackets when it has one. */
  name: string;
  /** Clusters (`JOBWATCH_CLUSTER_NAME`) the Job must be in; any cluster when unset. */
  clusters?: ReadonlySet<string>;
  /** Namespaces the Job must be in; any namespace when unset. */
  namespaces?: ReadonlySet<string>;
  /** Selector the Job's labels must satisfy; any labels when unset. */
  selector?: LabelSelector;
  channel: string;
  /** The file's `notify` applies when unset. */
  notify?: NotifyMode;
}

/** The routing rules, loaded by {@link loadRoutes}. */
export interface Routes {
  file?: string;
  /** The file's `defaultChannel`, or else `SLACK_CHANNEL`. */
  defaultChannel?: string;
  /** The file's `notify`. Default `first-failure`. */
  notify: NotifyMode;
  exclude: {
    namespaces: ReadonlySet<string>;
    /** A Job whose labels satisfy any of these is dropped. */
    selectors: readonly LabelSelector[];
  };
  routes: readonly Route[];
}

/** Settings from the environment that the routing file may override. */
export interface RouteDefaults {
  /** `SLACK_CHANNEL`. */
  defaultChannel?: string;
}

/** The Job to route, with the CronJob that created it, if any. */
export interface RouteTarget {
  /** The cluster the Job is in, as `JOBWATCH_CLUSTER_NAME` names it. Default `default`. */
  cluster?: string;
  namespace: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  cronJob?: { labels: Record<string, string>; annotations: Record<string, string> };
}

export type RouteDecision =
  | {
      action: 'post';
      channel: string;
      notify: NotifyMode;
      /** Source of the channel: an annotation, `routes[i]` or `default channel`. */
      matched: string;
      /** Annotations that were ignored because their values are invalid. */
      warnings?: string[];
    }
  | { action: 'drop'; why: string };

/**
 * Loads the routing file, or returns routes that send everything to the default channel
 * when `file` is undefined.
 *
 * @throws ConfigError `CONFIG_ROUTES_UNREADABLE` when the file cannot be read, and
 *   `CONFIG_ROUTES_INVALID` listing every YAML or schema problem.
 */
export function loadRoutes(file: string | undefined, defaults: RouteDefaults): Routes {
  if (file === undefined) return toRoutes(null, undefined, defaults);
  const text = readConfigFile(file, { setting: 'JOBWATCH_ROUTES_FILE', noun: 'routing file', code: 'CONFIG_ROUTES_UNREADABLE' });
  return parseRoutes(text, file, defaults);
}

/**
 * Parses the text of a routing file; `file` names it in errors.
 *
 * @throws ConfigError `CONFIG_ROUTES_INVALID` listing every YAML or schema problem.
 */
export function parseRoutes(text: string, file: string, defaults: RouteDefaults): Routes {
  const document = parseDocument(text);
  if (document.errors.length > 0) {
    throw new ConfigError('CONFIG_ROUTES_INVALID', yamlProblems(document), { file });
  }
  const read = documentData(document, 'the routing file');
  if ('problems' in read) throw new ConfigError('CONFIG_ROUTES_INVALID', read.problems, { file });
  const result = routesFileSchema.safeParse(read.data, { reportInput: true });
  if (!result.success) {
    throw new ConfigError('CONFIG_ROUTES_INVALID', schemaProblems(result.error.issues), { file });
  }
  return toRoutes(result.data, file, defaults);
}

function toRoutes(
  parsed: RoutesFile,
  file: string | undefined,
  defaults: RouteDefaults,
): Routes {
  const defaultChannel = parsed?.defaultChannel ?? defaults.defaultChannel;
  const excludedLabels = parsed?.exclude?.labels;
  return {
    ...(file === undefined ? {} : { file }),
    ...(defaultChannel === undefined ? {} : { defaultChannel }),
    notify: parsed?.notify ?? 'first-failure',
    exclude: {
      namespaces: parsed?.exclude?.namespaces ?? new Set(),
      selectors: excludedLabels === undefined ? [] : [excludedLabels].flat(),
    },
    routes: (parsed?.routes ?? []).map((entry, index): Route => ({
      name: entry.name === undefined ? `routes[${index}]` : `routes[${index}] (${entry.name})`,
      channel: entry.channel,
      ...(entry.match.cluster === undefined ? {} : { clusters: entry.match.cluster }),
      ...(entry.match.namespaces === undefined ? {} : { namespaces: entry.match.namespaces }),
      ...(entry.match.labelSelector === undefined ? {} : { selector: entry.match.labelSelector }),
      ...(entry.notify === undefined ? {} : { notify: entry.notify }),
    })),
  };
}

/**
 * Decides whether and where to post alerts for a Job. Drops come first: the ignore annotation
 * on the Job or its CronJob, then the file's `exclude`. The channel and the notify mode are
 * then each taken from the first of: the annotation on the Job, the annotation on the
 * CronJob, the first matching route in file order, the default. Selectors see the Job's
 * labels, with the CronJob's labels filling keys the Job lacks.
 */
export function route(routes: Routes, target: RouteTarget): RouteDecision {
  const dropped = dropReason(routes, target);
  if (dropped !== undefined) return { action: 'drop', why: dropped };
  const warnings: string[] = [];
  const matchedRoute = routes.routes.find((candidate) => routeMatches(candidate, target));
  const channel = chooseChannel(routes, target, matchedRoute, warnings);
  if (channel === undefined) {
    return {
      action: 'drop',
      why: 'no route matches and no default channel is set (SLACK_CHANNEL or defaultChannel)',
    };
  }
  const notifyAnnotation = readAnnotation(target, NOTIFY_ANNOTATION, checkNotifyMode, warnings);
  return {
    action: 'post',
    channel: channel.value,
    notify: toNotifyMode(notifyAnnotation?.value) ?? matchedRoute?.notify ?? routes.notify,
    matched: channel.source,
    ...(warnings.length === 0 ? {} : { warnings }),
  };
}

function chooseChannel(
  routes: Routes,
  target: RouteTarget,
  matchedRoute: Route | undefined,
  warnings: string[],
): { value: string; source: string } | undefined {
  const annotation = readAnnotation(target, CHANNEL_ANNOTATION, checkSlackChannel, warnings);
  if (annotation !== undefined) return annotation;
  if (matchedRoute !== undefined) return { value: matchedRoute.channel, source: matchedRoute.name };
  if (routes.defaultChannel === undefined) return undefined;
  return { value: routes.defaultChannel, source: 'default channel' };
}

function dropReason(routes: Routes, target: RouteTarget): string | undefined {
  if (target.annotations[IGNORE_ANNOTATION] === 'true') {
    return `annotation ${IGNORE_ANNOTATION}=true on the Job`;
  }
  if (target.cronJob?.annotations[IGNORE_ANNOTATION] === 'true') {
    return `annotation ${IGNORE_ANNOTATION}=true on the CronJob`;
  }
  if (routes.exclude.namespaces.has(target.namespace)) {
    return `namespace ${target.namespace} is in exclude.namespaces`;
  }
  const labels = effectiveLabels(target);
  const selector = routes.exclude.selectors.find((candidate) => matchesLabels(candidate, labels));
  if (selector === undefined) return undefined;
  return `labels match exclude.labels selector "${selector.source}"`;
}

function routeMatches(candidate: Route, target: RouteTarget): boolean {
  if (candidate.clusters?.has(target.cluster ?? DEFAULT_CLUSTER) === false) return false;
  if (candidate.namespaces?.has(target.namespace) === false) return false;
  if (candidate.selector === undefined) return true;
  return matchesLabels(candidate.selector, effectiveLabels(target));
}

function effectiveLabels(target: RouteTarget): Record<string, string> {
  return { ...target.cronJob?.labels, ...target.labels };
}

function toNotifyMode(value: string | undefined): NotifyMode | undefined {
  return NOTIFY_MODES.find((mode) => mode === value);
}

function checkNotifyMode(value: string): string | undefined {
  return toNotifyMode(value) === undefined ? 'it is not first-failure or final-only' : undefined;
}

/**
 * Reads an annotation from the Job, then from the CronJob. An invalid value is skipped with
 * a warning, so that a typo in one annotation does not silence the Job's alerts.
 */
function readAnnotation(
  target: RouteTarget,
  key: string,
  check: (value: string) => string | undefined,
  warnings: string[],
): { value: string; source: string } | undefined {
  const owners = [
    { kind: 'Job', annotations: target.annotations },
    { kind: 'CronJob', annotations: target.cronJob?.annotations ?? {} },
  ];
  for (const owner of owners) {
    const value = owner.annotations[key];
    if (value === undefined) continue;
    const problem = check(value);
    if (problem === undefined) return { value, source: `annotation ${key} on the ${owner.kind}` };
    const shown = `${key}=${JSON.stringify(value)}`;
    warnings.push(`annotation ${shown} on the ${owner.kind} is ignored: ${problem}`);
  }
  return undefined;
}
