import { z } from 'zod';
import { NAMESPACE_NAME } from './env-values.ts';
import { CLUSTER_NAME } from '../queue/cluster-names.ts';
import {
  LabelSelectorError,
  parseLabelSelector,
  selectorFromLabels,
  type LabelSelector,
} from './label-selector.ts';
import { checkSlackChannel } from './slack-channel.ts';

/*
 * The zod schema of the routing file. Custom messages are predicates ("is …, which …")
 * because the caller puts the path of the value in front of them.
 */

/** When an alert is posted: at the first failed attempt, or only once the Job has finished. */
export const NOTIFY_MODES = ['first-failure', 'final-only'] as const;
export type NotifyMode = (typeof NOTIFY_MODES)[number];

function reject(ctx: z.core.ParsePayload, message: string): void {
  ctx.issues.push({ code: 'custom', input: ctx.value, message });
}

const channel = z.string().check((ctx) => {
  const problem = checkSlackChannel(ctx.value);
  if (problem === undefined) return;
  reject(ctx, `is ${JSON.stringify(ctx.value)}, which is invalid: ${problem}`);
});

const notify = z.enum(NOTIFY_MODES, {
  error: (issue) => `is ${JSON.stringify(issue.input)}, which is not first-failure or final-only`,
});

const namespaceName = z.string().check((ctx) => {
  if (NAMESPACE_NAME.test(ctx.value)) return;
  const quoted = JSON.stringify(ctx.value);
  reject(ctx, `is ${quoted}, which is not a namespace name (lower-case DNS label)`);
});

const namespaceList = z
  .array(namespaceName)
  .min(1, { error: 'is empty: list at least one namespace' })
  .transform((names) => new Set(names) as ReadonlySet<string>);

const clusterName = z.string().check((ctx) => {
  if (CLUSTER_NAME.test(ctx.value)) return;
  const quoted = JSON.stringify(ctx.value);
  reject(ctx, `is ${quoted}, which is not a cluster name (JOBWATCH_CLUSTER_NAME: letters, digits, ".", "_", "-")`);
});

/** One cluster name or a list of them, as the set of clusters a route matches. */
const clusterMatch = z
  .union([clusterName, z.array(clusterName).min(1, { error: 'is empty: list at least one cluster' })], {
    error: 'must be a cluster name or a list of cluster names',
  })
  .transform((value) => new Set([value].flat()) as ReadonlySet<string>);

/** A selector string, or a map of labels that must all be equal. */
const selector = z
  .union([z.string(), z.record(z.string(), z.string())], {
    error: 'must be a selector string or a map of label keys to string values',
  })
  .transform((value, ctx): LabelSelector => {
    try {
      return typeof value === 'string' ? parseLabelSelector(value) : selectorFromLabels(value);
    } catch (err) {
      if (!(err instanceof LabelSelectorError)) throw err;
      const quoted = typeof value === 'string' ? JSON.stringify(value) : 'a label map';
      reject(ctx, `is ${quoted}, which is not a valid label selector: ${err.message}`);
      return z.NEVER;
    }
  });

const match = z
  .strictObject({
    cluster: clusterMatch.optional(),
    namespaces: namespaceList.optional(),
    labelSelector: selector.optional(),
  })
  .check((ctx) => {
    const { cluster, namespaces, labelSelector } = ctx.value;
    if (cluster !== undefined || namespaces !== undefined || labelSelector !== undefined) return;
    reject(ctx, 'is empty, so it would match every Job');
  });

const routeEntry = z.strictObject({
  name: z.string().optional(),
  match,
  channel,
  notify: notify.optional(),
});

const exclude = z.strictObject({
  namespaces: namespaceList.optional(),
  labels: z
    .union([selector, z.array(selector)], {
      error: 'must be a selector string, a map of labels, or a list of these',
    })
    .optional(),
});

/** The routing file as written; the top level may be empty. */
export const routesFileSchema = z
  .strictObject({
    defaultChannel: channel.optional(),
    notify: notify.optional(),
    exclude: exclude.optional(),
    routes: z.array(routeEntry).optional(),
  })
  .nullable();

export type RoutesFile = z.output<typeof routesFileSchema>;

/** Lists the keys allowed at a path of the file, for messages about unknown keys. */
export function knownKeysAt(path: readonly PropertyKey[]): readonly string[] {
  const [first, , third] = path;
  if (path.length === 0) return ['defaultChannel', 'notify', 'exclude', 'routes'];
  if (first === 'exclude') return ['namespaces', 'labels'];
  if (first === 'routes' && path.length === 2) return ['name', 'match', 'channel', 'notify'];
  if (first === 'routes' && third === 'match') return ['cluster', 'namespaces', 'labelSelector'];
  return [];
}
