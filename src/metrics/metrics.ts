/**
 * The pipeline's counting points, as a small interface passed in like the logger, so the
 * modules that count stay free of prom-client. `createJobwatchMetrics` in `registry.ts`
 * implements it on a Prometheus registry, and {@link noopMetrics} counts nothing.
 */

/** Kinds of evidence read for a diagnosis. */
export type EvidenceKind = 'logs' | 'previous_logs' | 'events' | 'pod';

/**
 * The result of one evidence read: `captured` whole, `truncated` at the tail-lines or
 * byte limit, or `missing` because the object was gone or the read failed.
 */
export type EvidenceResult = 'captured' | 'missing' | 'truncated';

/**
 * Actions users take from an alert or the slash command. A denial names the policy verb,
 * so `read` represents the read-only actions.
 */
export type ActionName =
  | 'retry'
  | 'limits'
  | 'logs'
  | 'why'
  | 'status'
  | 'list'
  | 'mute'
  | 'unmute'
  | 'ack'
  | 'read';

/**
 * The outcome of an action: `done`, `refused` (the plan or the user turned it down),
 * `denied` by the policy, `failed` on the cluster, or `expired` before it finished.
 */
export type ActionOutcome = 'done' | 'refused' | 'denied' | 'failed' | 'expired';

/** The first post of an episode, as Slack accepted it. */
export interface FirstPost {
  /** `JOBWATCH_CLUSTER_NAME`, or an empty string when unset. */
  cluster: string;
  /** The diagnosis's cause id. */
  cause: string;
  /** When the Job failed, in epoch milliseconds; undefined when unknown, as for a stuck pod. */
  failedAtMs: number | undefined;
  /**
   * When Slack accepted the post, in epoch milliseconds; undefined for a post adopted
   * after a crash, whose acceptance time is unknown.
   */
  acceptedAtMs: number | undefined;
}

/** Counting points of the pipeline. Implementations must return at once and not throw. */
export interface Metrics {
  /** Counts a diagnosis posted for the first time and observes its failure-to-post latency. */
  firstPost(post: FirstPost): void;
  /**
   * Counts one HTTP request to Slack's Web API. `result` is `ok`, `rate_limited`,
   * `network`, Slack's error code or `http_<status>`; `retryAfterSeconds` comes with a 429.
   */
  slackCall(method: string, result: string, retryAfterSeconds?: number): void;
  /** Counts one evidence read; `count` reads of the same kind and result at once. */
  evidence(kind: EvidenceKind, result: EvidenceResult, count?: number): void;
  /** Counts one action by how it ended. */
  action(action: ActionName, outcome: ActionOutcome): void;
}

/** A {@link Metrics} that counts nothing, for tests and tools that do not export metrics. */
export const noopMetrics: Metrics = {
  firstPost: () => undefined,
  slackCall: () => undefined,
  evidence: () => undefined,
  action: () => undefined,
};
