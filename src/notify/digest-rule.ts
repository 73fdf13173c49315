/**
 * When the root alerts of many Jobs become one digest message. The decision is a pure
 * function of the recent episodes of one channel and one cause, so it is the same in
 * every notifier process and in tests.
 */

/** Settings of the digest rule. */
export interface DigestRule {
  /**
   * Episodes of one channel and one cause within `windowMs` that open a digest, the new
   * episode included. 0 turns digests off. Default 5.
   */
  minEpisodes: number;
  /** Length of the window, in milliseconds. Default 60,000. */
  windowMs: number;
}

export const DEFAULT_DIGEST_RULE: DigestRule = { minEpisodes: 5, windowMs: 60_000 };

/** The fields of one new episode, its channel and its cause that the rule reads. */
export interface GroupingInput {
  /** When the new episode opened, in ms since the epoch. */
  openedAtMs: number;
  /** When the other recent episodes of the same channel and cause opened, in ms. */
  recentOpenedAtMs: readonly number[];
  /** When the newest member joined the digest open for this channel and cause, if any. */
  digestLastJoinMs?: number;
}

/**
 * The decision for one episode: post its own root alert, join the open digest, or open
 * a new digest.
 */
export type GroupingDecision = 'alone' | 'join' | 'open';

/**
 * Decides how a new root alert is shown. An open digest takes the episode while episodes
 * keep arriving within the window of its newest member, so a storm that slows down stays
 * in one message. Otherwise the episode opens a digest when it is at least the
 * `minEpisodes`-th of its channel and cause within the window that ends at its own time.
 */
export function decideGrouping(input: GroupingInput, rule: DigestRule): GroupingDecision {
  if (rule.minEpisodes <= 0) return 'alone';
  const { openedAtMs, digestLastJoinMs } = input;
  // Queues do not keep the order in which Jobs failed, so a member may be older than the
  // newest one already in the digest.
  if (digestLastJoinMs !== undefined && Math.abs(openedAtMs - digestLastJoinMs) <= rule.windowMs) {
    return 'join';
  }
  const windowStart = openedAtMs - rule.windowMs;
  const inWindow = input.recentOpenedAtMs.filter((at) => at >= windowStart && at <= openedAtMs);
  return inWindow.length + 1 >= rule.minEpisodes ? 'open' : 'alone';
}
