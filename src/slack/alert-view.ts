import type { CauseId, Confidence, EvidenceQuote } from '../diagnose/types.ts';

/**
 * The lifecycle of one failure episode. `failing` has attempts left; `stuck` will
 * never fail on its own; the rest are final.
 */
export type EpisodeState = 'failing' | 'stuck' | 'failed' | 'recovered' | 'deleted';

/** One failed attempt, as shown in the timeline and in its thread reply. */
export interface AttemptView {
  /** 1-based attempt number across the Job, or within its index when the Job sets backoffLimitPerIndex. */
  number: number;
  pod: string;
  container?: string;
  node?: string;
  /** Completion index for Indexed Jobs. */
  index?: number;
  startedAt?: string;
  finishedAt?: string;
  exitCode?: number;
  /** Kubernetes reason: OOMKilled, Error, Evicted, DeadlineExceeded… */
  reason?: string;
  message?: string;
  /** The few decisive log lines, already redacted. */
  logExcerpt?: string;
}

/** The Job's own limits and counters, copied from its spec and status. */
export interface JobParameters {
  backoffLimit?: number;
  backoffLimitPerIndex?: number;
  activeDeadlineSeconds?: number;
  completions?: number;
  parallelism?: number;
  completionMode?: string;
  restartPolicy?: string;
  failed: number;
  succeeded: number;
  active: number;
  /**
   * Attempts used so far and the maximum allowed, as the alert header shows them. With
   * backoffLimitPerIndex, both count within the index of the newest failed attempt.
   */
  attemptsUsed: number;
  attemptsAllowed?: number;
  /** `spec.maxFailedIndexes`: failed indexes the Job tolerates before it fails. */
  maxFailedIndexes?: number;
  /** `status.failedIndexes`, such as "1,3-5" or "", which the controller sets with backoffLimitPerIndex. */
  failedIndexes?: string;
  /** Indexes listed in `failedIndexes`; set with it. */
  failedIndexCount?: number;
  startTime?: string;
  /** Milliseconds from `startTime` to the end of the episode or to now. */
  durationMs?: number;
}

/** Everything the Slack and terminal renderers need for one living message. */
export interface AlertView {
  /** Stable episode key, the Job uid. */
  key: string;
  /** Monotonic render version; a renderer skips versions older than the one it showed. */
  version: number;
  cluster?: string;
  namespace: string;
  jobName: string;
  cronJob?: { name: string; uid: string; /** Helm, Argo CD or Flux, when one manages the CronJob. */ managedBy?: string };
  state: EpisodeState;
  /** Final reason: BackoffLimitExceeded, DeadlineExceeded, PodFailurePolicy… or a stuck reason. */
  reason: string | null;
  cause: CauseId;
  confidence: Confidence;
  summary: string;
  evidence: EvidenceQuote[];
  fix: string;
  secondary: CauseId[];
  params: JobParameters;
  attempts: AttemptView[];
  /** When the episode opened and, for final states, when it closed. ISO 8601. */
  openedAt: string;
  closedAt?: string;
  /** Who acknowledged the alert (a Slack user id) and when. Added when the message is rendered. */
  ack?: { userId: string; at: string };
  /** An active mute of the Job's or CronJob's alerts. Added when the message is rendered. */
  mute?: { userId: string; until: string; target: string };
  /** Shows the action buttons; set for Slack messages of an app that handles interactions. */
  actions?: boolean;
}

/** A CronJob incident: one root message over the episodes of its runs. */
export interface IncidentView {
  key: string;
  version: number;
  cluster?: string;
  namespace: string;
  cronJobName: string;
  /** Newest last: each run's Job name and how it ended. */
  runs: { jobName: string; outcome: 'succeeded' | 'failed' | 'running' }[];
  failedRuns: number;
  /** True once a run after the last failure succeeded. */
  resolved: boolean;
  lastCause?: CauseId;
  lastSummary?: string;
}
