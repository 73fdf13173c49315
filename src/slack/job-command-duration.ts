/** Mute durations of the `/job` command: days, hours and minutes, such as `1d`, `2h` or `1h30m`. */

const UNIT_MS = { d: 86_400_000, h: 3_600_000, m: 60_000 } as const;

// Units in falling order, each at most once, so `30m2h` and `1h1h` read as mistakes.
const DURATION = /^(?:(\d{1,4})d)?(?:(\d{1,5})h)?(?:(\d{1,6})m)?$/;

/** The outcome of {@link parseDuration}; `problem` is a sentence for the user. */
export type DurationResult = { ok: true; ms: number } | { ok: false; problem: string };

/**
 * Parses a duration written as days, hours and minutes in that order (`1d`, `2h`, `30m`,
 * `1h30m`), ignoring case. Zero is rejected, because a mute must last.
 */
export function parseDuration(text: string): DurationResult {
  const match = DURATION.exec(text.toLowerCase());
  if (match === null || text === '') {
    return {
      ok: false,
      problem: 'write a number with `m`, `h` or `d`, such as `30m`, `2h` or `1d`.',
    };
  }
  const [, days, hours, minutes] = match;
  const ms =
    Number(days ?? 0) * UNIT_MS.d +
    Number(hours ?? 0) * UNIT_MS.h +
    Number(minutes ?? 0) * UNIT_MS.m;
  if (ms === 0) return { ok: false, problem: 'a mute must last at least `1m`.' };
  return { ok: true, ms };
}
