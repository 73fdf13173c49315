import { CronExpressionParser } from 'cron-parser';

/**
 * Descriptors that the CronJob controller (robfig/cron v3 `ParseStandard`, Kubernetes
 * v1.37) accepts besides five fields. `@every` is left out because cron-parser does not
 * read it.
 */
const DESCRIPTORS: Readonly<Record<string, string>> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

/** A CronJob schedule ready to enumerate: five cron fields and the IANA time zone they run in. */
export interface CronSchedule {
  fields: string;
  /** `spec.timeZone`, or the `CRON_TZ=`/`TZ=` prefix of the schedule; UTC when neither is set. */
  timeZone: string;
}

/**
 * Reads `spec.schedule` and `spec.timeZone` as the CronJob controller does. Returns
 * undefined for a schedule jobwatch cannot enumerate (`@every`, six fields, invalid
 * syntax, an unknown time zone). For the invalid ones the controller records
 * `InvalidSchedule`, `UnparseableSchedule` or `UnknownTimeZone` events.
 *
 * NOTE: without `spec.timeZone`, the controller uses the time zone of the
 * kube-controller-manager process; this assumes UTC, which managed clusters use.
 */
export function readCronSchedule(schedule: string, timeZone?: string): CronSchedule | undefined {
  let text = schedule.trim();
  let zone = timeZone ?? 'UTC';
  const prefix = /^(?:CRON_TZ|TZ)=(\S+)\s+(.*)$/.exec(text);
  if (prefix) {
    zone = prefix[1] ?? zone;
    text = prefix[2] ?? '';
  }
  const fields = DESCRIPTORS[text] ?? text;
  if (fields.split(/\s+/).length !== 5) return undefined;
  const parsed: CronSchedule = { fields, timeZone: zone };
  try {
    slotsBetween(parsed, 0, 1, 1);
  } catch {
    // cron-parser throws on bad fields and on a time zone it cannot load.
    return undefined;
  }
  return parsed;
}

/**
 * Lists the scheduled times after `afterMs` and at or before `untilMs`, oldest first,
 * at most `limit` of them. Times are milliseconds since the epoch.
 */
export function slotsBetween(schedule: CronSchedule, afterMs: number, untilMs: number, limit: number): number[] {
  const expression = CronExpressionParser.parse(schedule.fields, {
    currentDate: new Date(afterMs),
    tz: schedule.timeZone,
  });
  const slots: number[] = [];
  while (slots.length < limit) {
    const next = expression.next().getTime();
    if (next > untilMs) break;
    slots.push(next);
  }
  return slots;
}

/** Returns the next scheduled time after `afterMs`, in milliseconds since the epoch. */
export function nextSlot(schedule: CronSchedule, afterMs: number): number {
  return CronExpressionParser.parse(schedule.fields, { currentDate: new Date(afterMs), tz: schedule.timeZone })
    .next()
    .getTime();
}
