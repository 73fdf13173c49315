/** Human units for durations and times, shared by the Slack and terminal renderers. */
// The subpath import loads one function; the package root loads all of date-fns, about 300 MB of RSS.
import { intervalToDuration } from 'date-fns/intervalToDuration';

const UNITS = [
  ['years', 'y'],
  ['months', 'mo'],
  ['days', 'd'],
  ['hours', 'h'],
  ['minutes', 'm'],
  ['seconds', 's'],
] as const;

/**
 * Formats a duration as its two largest non-zero units: `14m`, `2m 10s`, `1h 5m`, `3d 2h`.
 * Durations under one second read `0s`; negative or non-finite ones read `unknown`.
 *
 * @param ms - Duration in milliseconds.
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) {
    return 'unknown';
  }
  const parts = intervalToDuration({ start: 0, end: Math.floor(ms) });
  const shown: string[] = [];
  for (const [unit, suffix] of UNITS) {
    const value = parts[unit] ?? 0;
    if (value > 0 && shown.length < 2) {
      shown.push(`${value}${suffix}`);
    } else if (shown.length > 0) {
      break;
    }
  }
  return shown.length > 0 ? shown.join(' ') : '0s';
}

/**
 * Formats an ISO 8601 time as `YYYY-MM-DD HH:MM UTC`, or returns undefined when it does
 * not parse. UTC keeps the terminal output and the Slack fallback the same for everyone.
 */
export function formatUtc(iso: string | undefined): string | undefined {
  const millis = parseTime(iso);
  if (millis === undefined) {
    return undefined;
  }
  return `${new Date(millis).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** Returns the milliseconds between two ISO 8601 times, or undefined if either is absent. */
export function elapsedMs(
  startIso: string | undefined,
  endIso: string | undefined,
): number | undefined {
  const start = parseTime(startIso);
  const end = parseTime(endIso);
  return start === undefined || end === undefined || end < start ? undefined : end - start;
}

/** Parses an ISO 8601 time into epoch milliseconds; undefined when absent or invalid. */
export function parseTime(iso: string | undefined): number | undefined {
  if (iso === undefined) {
    return undefined;
  }
  const millis = Date.parse(iso);
  return Number.isNaN(millis) ? undefined : millis;
}

/** Writes `count noun` with the noun in the plural unless the count is one. */
export function plural(count: number, noun: string, pluralNoun = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : pluralNoun}`;
}
