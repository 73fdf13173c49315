/**
 * A checker for the five-field cron schedules that kube-apiserver v1.37 accepts in
 * `spec.schedule`, returning the texts of the parser it uses (robfig/cron v3,
 * `ParseStandard`), or `undefined` for a valid schedule.
 */

interface Bounds {
  min: number;
  max: number;
  names?: readonly string[];
}

const months = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const weekdays = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const fieldBounds: readonly Bounds[] = [
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  { min: 1, max: 12, names: months },
  { min: 0, max: 6, names: weekdays },
];
const descriptors = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'];

function parseNumber(text: string, bounds: Bounds): number | string {
  const index = bounds.names?.indexOf(text.toLowerCase()) ?? -1;
  if (index >= 0) return index + bounds.min;
  if (!/^[+-]?\d+$/.test(text)) return `failed to parse int from ${text}: strconv.Atoi: parsing "${text}": invalid syntax`;
  const value = Number(text);
  return value < 0 ? `negative number (${value}) not allowed: ${text}` : value;
}

function checkRange(expression: string, bounds: Bounds): string | undefined {
  const [rangePart = '', step, ...extraSlashes] = expression.split('/');
  if (extraSlashes.length > 0) return `too many slashes: ${expression}`;
  const [low = '', high, ...extraHyphens] = rangePart.split('-');
  if (extraHyphens.length > 0) return `too many hyphens: ${expression}`;
  let start = bounds.min;
  let end = bounds.max;
  if (low !== '*' && low !== '?') {
    const first = parseNumber(low, bounds);
    if (typeof first === 'string') return first;
    const last = high === undefined ? first : parseNumber(high, bounds);
    if (typeof last === 'string') return last;
    start = first;
    end = high === undefined && step !== undefined ? bounds.max : last;
  }
  if (step !== undefined) {
    const stepValue = parseNumber(step, { min: 0, max: 0 });
    if (typeof stepValue === 'string') return stepValue;
    if (stepValue === 0) return `step of range should be a positive number: ${expression}`;
  }
  if (start < bounds.min) return `beginning of range (${start}) below minimum (${bounds.min}): ${expression}`;
  if (end > bounds.max) return `end of range (${end}) above maximum (${bounds.max}): ${expression}`;
  if (start > end) return `beginning of range (${start}) beyond end of range (${end}): ${expression}`;
  return undefined;
}

/** Returns the parser's error text for an invalid schedule, or `undefined` when valid. */
export function checkCronSchedule(schedule: string): string | undefined {
  const trimmed = schedule.trim();
  if (trimmed.startsWith('@')) {
    if (descriptors.includes(trimmed) || trimmed.startsWith('@every ')) return undefined;
    return `unrecognized descriptor: ${trimmed}`;
  }
  const parts = trimmed.split(/\s+/).filter((part) => part !== '');
  if (parts.length !== 5) return `expected exactly 5 fields, found ${parts.length}: [${parts.join(' ')}]`;
  for (const [i, part] of parts.entries()) {
    for (const expression of part.split(',')) {
      const error = checkRange(expression, fieldBounds[i] ?? { min: 0, max: 0 });
      if (error !== undefined) return error;
    }
  }
  return undefined;
}
