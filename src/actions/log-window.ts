/**
 * Reads a container log through the pods/log API without holding more than a few times its
 * byte budget in memory. The API has no byte offset, and `limitBytes` cuts from the start of
 * what `tailLines` selects. So the start of a log comes from a `limitBytes` read, and its end
 * from a `tailLines` read whose line count is narrowed until the lines fit.
 */
import type { ClusterReader } from '../episode/cluster-reader.ts';
import { byteSize } from './log-cut.ts';

/**
 * `tailLines` for a read from the start of the log. `ClusterReader.readPodLog` requires a
 * line count, and any count above the log's line count makes the kubelet start at the top.
 */
export const ALL_LINES = 2 ** 31 - 1;

/** Reads of the end of a log before the best one so far is taken. */
export const MAX_TAIL_READS = 5;

/** The container log a {@link readLogWindow} call reads. */
export interface LogTarget {
  namespace: string;
  pod: string;
  container: string;
  previous: boolean;
}

/** Result of {@link readLogWindow} for one log. Texts are raw, not yet redacted. */
export type LogWindow =
  /** The log was read whole: it is at most `probeBytes` long. */
  | { complete: true; text: string }
  /**
   * The log is longer than `probeBytes`: its start and its last lines were read, and
   * nothing between them.
   */
  | { complete: false; head: string; tail: string; probeBytes: number; tailTruncated: boolean }
  | { unavailable: string };

/**
 * Reads one log for a budget of `maxBytes`. The first read takes up to `2 × maxBytes` from
 * the start, so a log up to that size is read whole and its cut can be measured exactly.
 * A longer log gets a second series of reads for its last lines, sized to `maxBytes`.
 */
export async function readLogWindow(
  reader: ClusterReader,
  target: LogTarget,
  maxBytes: number,
): Promise<LogWindow> {
  const probeBytes = Math.max(1, 2 * maxBytes);
  const probe = await reader.readPodLog({
    ...target,
    tailLines: ALL_LINES,
    limitBytes: probeBytes,
  });
  if ('unavailable' in probe) return probe;
  if (!probe.truncated) return { complete: true, text: probe.text };

  const lineBytes = averageLineBytes(probe.text);
  const head = probe.text.slice(0, maxBytes);
  const tail = await readTail(
    reader,
    target,
    maxBytes,
    Math.max(1, Math.floor(maxBytes / lineBytes)),
  );
  if ('unavailable' in tail) return tail;
  return { complete: false, head, tail: tail.text, probeBytes, tailTruncated: tail.truncated };
}

function averageLineBytes(text: string): number {
  return Math.max(1, byteSize(text) / Math.max(1, countNewlines(text)));
}

/**
 * Reads the last lines of a log that fit in `maxBytes`. A read that reaches `limitBytes`
 * returned the start of those lines rather than their end, so the count shrinks to the
 * whole lines that came back and the read is repeated. The last read requests one line, so
 * a `truncated` result is always the start of the log's last line, which alone is over the
 * budget.
 */
async function readTail(
  reader: ClusterReader,
  target: LogTarget,
  maxBytes: number,
  firstGuess: number,
): Promise<{ text: string; truncated: boolean } | { unavailable: string }> {
  let tailLines = firstGuess;
  let last: { text: string; truncated: boolean } = { text: '', truncated: true };
  for (let read = 0; read < MAX_TAIL_READS; read += 1) {
    const result = await reader.readPodLog({ ...target, tailLines, limitBytes: maxBytes });
    if ('unavailable' in result) return result;
    if (!result.truncated) return { text: result.text, truncated: false };
    last = result;
    if (tailLines === 1) break;
    const wholeLines = countNewlines(result.text);
    const isNextLast = read === MAX_TAIL_READS - 2;
    tailLines = isNextLast ? 1 : Math.max(1, Math.min(tailLines - 1, Math.floor(wholeLines * 0.9)));
  }
  return { text: last.text, truncated: true };
}

function countNewlines(text: string): number {
  let count = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) count += 1;
  return count;
}
