import type {
  CoreV1Event,
  V1ContainerStateTerminated,
  V1JobCondition,
  V1PodCondition,
} from '@kubernetes/client-node';
import type { ContainerView } from './context.ts';
import type { EvidenceQuote, EvidenceSource } from './types.ts';

/** Longest quote kept whole; longer ones are clipped around the words that matter. */
const MAX_QUOTE_CHARS = 600;
const CLIP_CONTEXT_CHARS = 120;

/** Names a container as evidence objects do: `pod/x container c` or `pod/x init container c`. */
export function containerRef(view: ContainerView, previous = false): string {
  const kind = view.init ? 'init container' : 'container';
  return `pod/${view.podName} ${kind} ${view.name}${previous ? ' (previous run)' : ''}`;
}

export function quote(source: EvidenceSource, text: string, object?: string): EvidenceQuote {
  return object === undefined ? { source, text } : { source, text, object };
}

/** `state.terminated: OOMKilled, exit code 137` with the runtime's message when it wrote one. */
export function terminatedQuote(
  view: ContainerView,
  terminated: V1ContainerStateTerminated,
  field: 'state' | 'lastState',
): EvidenceQuote {
  const parts = [`${field}.terminated: ${terminated.reason ?? 'no reason'}, exit code ${terminated.exitCode}`];
  if (terminated.message) parts.push(`message "${terminated.message.trim()}"`);
  if (field === 'lastState' || view.status.restartCount > 0) parts.push(`restartCount: ${view.status.restartCount}`);
  return quote('status', parts.join(', '), containerRef(view, field === 'lastState'));
}

export function waitingQuote(view: ContainerView): EvidenceQuote {
  const waiting = view.status.state?.waiting;
  const message = waiting?.message ? `: ${waiting.message}` : '';
  return quote('status', `state.waiting: ${waiting?.reason ?? 'unknown'}${message}`, containerRef(view));
}

export function conditionQuote(condition: V1PodCondition | V1JobCondition, object: string): EvidenceQuote {
  const reason = condition.reason ? ` ${condition.reason}` : '';
  const message = condition.message ? `: ${condition.message.trim()}` : '';
  return quote('status', `${condition.type}=${condition.status}${reason}${message}`, object);
}

/** `Reason: message (x17)`, the way `kubectl describe` lists events. */
export function eventQuote(event: CoreV1Event, focus: string[] = []): EvidenceQuote {
  const count = (event.count ?? 1) > 1 ? ` (x${event.count})` : '';
  const text = clipAround(`${event.reason ?? ''}: ${(event.message ?? '').trim()}`, focus);
  const object = `${(event.involvedObject.kind ?? '').toLowerCase()}/${event.involvedObject.name ?? ''}`;
  return quote('event', `${text}${count}`, object);
}

export function logQuote(view: ContainerView, lines: string[], previous: boolean, focus: string[] = []): EvidenceQuote {
  const text = lines.map((line) => clipAround(line, focus)).join('\n');
  return quote('log', text, containerRef(view, previous));
}

/**
 * Shortens text longer than 600 characters to windows around the focus words
 * joined by " … ", or to its start when no focus word occurs in it.
 */
export function clipAround(text: string, focus: string[], maxChars = MAX_QUOTE_CHARS): string {
  if (text.length <= maxChars) return text;
  const windows: Array<[number, number]> = [];
  for (const word of focus) {
    const at = word === '' ? -1 : text.indexOf(word);
    if (at < 0) continue;
    windows.push([Math.max(0, at - CLIP_CONTEXT_CHARS), Math.min(text.length, at + word.length + CLIP_CONTEXT_CHARS)]);
  }
  if (windows.length === 0) return `${text.slice(0, maxChars)} …`;
  windows.sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const window of windows) {
    const last = merged[merged.length - 1];
    if (last !== undefined && window[0] <= last[1]) last[1] = Math.max(last[1], window[1]);
    else merged.push([...window]);
  }
  const pieces = merged.map(([start, end]) => text.slice(start, end));
  const head = (merged[0]?.[0] ?? 0) > 0 ? '… ' : '';
  const tail = (merged[merged.length - 1]?.[1] ?? 0) < text.length ? ' …' : '';
  return `${head}${pieces.join(' … ')}${tail}`;
}

/** Drops quotes whose text and object repeat an earlier one, keeping the first. */
export function dedupeQuotes(quotes: EvidenceQuote[]): EvidenceQuote[] {
  const seen = new Set<string>();
  return quotes.filter((q) => {
    const key = `${q.source}\u0000${q.object ?? ''}\u0000${q.text}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
