import { Counter, Histogram, type Registry } from 'prom-client';
import type { Metrics } from './metrics.ts';

/**
 * Buckets of `jobwatch_failure_to_post_seconds`, from 50 ms to 60 s. The pipeline's own
 * share is well under a second; the upper buckets show Slack rate limits and retries.
 */
export const FAILURE_TO_POST_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60];

/** Buckets of `jobwatch_slack_retry_after_seconds`; Slack sends whole seconds. */
const RETRY_AFTER_BUCKETS = [1, 2, 5, 10, 30, 60, 120, 300];

/** Slack error codes are lower-case words; anything else is reported as one value. */
const RESULT_PATTERN = /^[a-z0-9_]{1,64}$/;

/**
 * Registers the pushed metrics on `registry` and returns the {@link Metrics} that feeds
 * them. The latency histogram skips posts whose failure time or acceptance time is unknown.
 */
export function createPromMetrics(registry: Registry): Metrics {
  const registers = [registry];
  const latency = new Histogram({
    name: 'jobwatch_failure_to_post_seconds',
    help: 'Seconds from a Job failure to Slack accepting the first post of its episode.',
    labelNames: ['cluster'],
    buckets: FAILURE_TO_POST_BUCKETS,
    registers,
  });
  const episodes = new Counter({
    name: 'jobwatch_episodes_total',
    help: 'Failure episodes whose diagnosis was posted, by cause id.',
    labelNames: ['cluster', 'cause'],
    registers,
  });
  const slackCalls = new Counter({
    name: 'jobwatch_slack_calls_total',
    help: 'HTTP requests to the Slack Web API, by method and result.',
    labelNames: ['method', 'result'],
    registers,
  });
  const retryAfter = new Histogram({
    name: 'jobwatch_slack_retry_after_seconds',
    help: 'Retry-After of the 429 responses from the Slack Web API, in seconds.',
    buckets: RETRY_AFTER_BUCKETS,
    registers,
  });
  const evidence = new Counter({
    name: 'jobwatch_evidence_total',
    help: 'Evidence reads for diagnoses, by kind and result.',
    labelNames: ['kind', 'result'],
    registers,
  });
  const actions = new Counter({
    name: 'jobwatch_actions_total',
    help: 'Actions from alerts and the slash command, by action and outcome.',
    labelNames: ['action', 'outcome'],
    registers,
  });
  return {
    firstPost(post) {
      episodes.inc({ cluster: post.cluster, cause: post.cause });
      if (post.failedAtMs === undefined || post.acceptedAtMs === undefined) return;
      // The failure time comes from the cluster's clock; skew may put it after the post.
      const seconds = Math.max(0, (post.acceptedAtMs - post.failedAtMs) / 1000);
      latency.observe({ cluster: post.cluster }, seconds);
    },
    slackCall(method, result, retryAfterSeconds) {
      slackCalls.inc({ method, result: RESULT_PATTERN.test(result) ? result : 'unexpected' });
      if (retryAfterSeconds !== undefined) retryAfter.observe(retryAfterSeconds);
    },
    evidence(kind, result, count = 1) {
      if (count > 0) evidence.inc({ kind, result }, count);
    },
    action(action, outcome) {
      actions.inc({ action, outcome });
    },
  };
}
