import type { CauseId, Confidence, EvidenceQuote } from './types.ts';

/** One cause read from one pod, container or controller event, before ranking. */
export interface Finding {
  cause: CauseId;
  confidence: Confidence;
  /** One clause saying what happened, with the decisive value, such as "container x was OOMKilled …". */
  detail: string;
  /** The next step, with the object's own values. */
  fix: string;
  evidence: EvidenceQuote[];
  pod?: string;
  container?: string;
  /** When it happened, ms since epoch; 0 when unknown. Later findings win ties. */
  atMs: number;
  /** True when a container of the workload had started running. */
  ran: boolean;
  /** True when the container was stopped because the Job was already failing (deadline, policy). */
  consequence?: boolean;
  /** Underlying or accompanying causes worth naming. */
  secondary?: CauseId[];
}

/** Returns the confidence as a number for scoring: high 3, medium 2, low 1. */
export function confidenceWeight(finding: Finding): number {
  if (finding.confidence === 'high') return 3;
  if (finding.confidence === 'medium') return 2;
  return 1;
}

/** The fields every finding about one container run shares. */
export type FindingBase = Pick<Finding, 'pod' | 'container' | 'atMs' | 'ran'>;
