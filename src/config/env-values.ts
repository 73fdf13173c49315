import { z } from 'zod';
import { redactRedisUrl, redisUrlProblem } from '../queue/redis-url.ts';
import { checkSlackChannel } from './slack-channel.ts';

/*
 * Zod schemas for single environment values. Each takes the variable name so that its
 * messages are whole sentences that start with it, and none of them quotes a secret.
 */

/** Pino's level names, plus `silent`. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The processes one jobwatch install runs; each can run alone or together with the others. */
export const ROLES = ['watcher', 'worker', 'notifier'] as const;
export type Role = (typeof ROLES)[number];

/** Names accepted by Kubernetes for namespaces: DNS labels (RFC 1123), 63 characters at most. */
export const NAMESPACE_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** Records a custom issue whose message is already a full sentence. */
function reject(ctx: z.core.ParsePayload, message: string): void {
  ctx.issues.push({ code: 'custom', input: ctx.value, message });
}

function quote(value: unknown): string {
  return JSON.stringify(String(value));
}

/**
 * Validates a Slack token that must start with `prefix`. A token of another kind gets a
 * message that names its kind (the prefix is not secret), so the operator can move it to the
 * right variable.
 */
export function slackToken(name: string, prefix: 'xoxb-' | 'xapp-') {
  return z.string().check((ctx) => {
    const value = ctx.value;
    if (value.startsWith(prefix) && !/\s/.test(value) && value.length > prefix.length) return;
    reject(ctx, `${name} is set but malformed: ${tokenProblem(prefix, value)}`);
  });
}

const TOKEN_KINDS: Record<string, string> = {
  'xoxb-': 'a bot token, which belongs in SLACK_BOT_TOKEN',
  'xapp-': 'an app-level token, which belongs in SLACK_APP_TOKEN',
  'xoxp-': 'a user token, which jobwatch does not use',
};

function tokenProblem(prefix: string, value: string): string {
  if (/\s/.test(value)) return 'it contains whitespace';
  if (/^["']/.test(value)) return 'it is wrapped in quotes';
  const kind = Object.keys(TOKEN_KINDS).find((candidate) => value.startsWith(candidate));
  if (kind !== undefined && kind !== prefix) return `it is ${TOKEN_KINDS[kind]}`;
  return `it must start with ${prefix} followed by the token`;
}

/** Validates a signing secret: one word of at least 8 characters, never quoted back. */
export function signingSecret(name: string) {
  return z.string().check((ctx) => {
    const value = ctx.value;
    let problem: string | undefined;
    if (/\s/.test(value)) problem = 'it contains whitespace';
    else if (/^["']/.test(value)) problem = 'it is wrapped in quotes';
    else if (value.length < 8) problem = 'it is shorter than 8 characters';
    if (problem !== undefined) reject(ctx, `${name} is set but malformed: ${problem}`);
  });
}

/** Validates a Slack channel id or name. */
export function slackChannel(name: string) {
  return z.string().check((ctx) => {
    const problem = checkSlackChannel(ctx.value);
    if (problem === undefined) return;
    reject(ctx, `${name} is ${quote(ctx.value)}, which is invalid: ${problem}`);
  });
}

/** Validates an http(s) base URL and returns it with a trailing slash. */
export function httpBaseUrl(name: string) {
  return z.string().transform((value, ctx) => {
    const url = URL.canParse(value) ? new URL(value) : undefined;
    if (url?.protocol === 'http:' || url?.protocol === 'https:') {
      return url.href.endsWith('/') ? url.href : `${url.href}/`;
    }
    reject(ctx, `${name} is ${quote(redactRedisUrl(value))}, which is not an http:// or https:// URL`);
    return z.NEVER;
  });
}

/**
 * Validates a Redis URL: `redis:`, `rediss:` (TLS) or `redis+sentinel:`, whose forms
 * `src/queue/redis-url.ts` describes. Passwords are masked in messages.
 */
export function redisUrl(name: string) {
  return z.string().check((ctx) => {
    const problem = redisUrlProblem(ctx.value);
    if (problem !== undefined) {
      reject(ctx, `${name} is ${quote(redactRedisUrl(ctx.value))}, which is ${problem}`);
    }
  });
}

/**
 * Parses a whole number from `min` to `max` inclusive. `noun` names the quantity with its
 * unit, as in "whole number of seconds", and every message gives the range.
 */
export function wholeNumber(name: string, noun: string, min: number, max: number) {
  const message = (input: unknown) =>
    `${name} is ${quote(input)}, which is not a ${noun} from ${min} to ${max}`;
  const error = (issue: { input?: unknown }) => message(issue.input);
  return z
    .string()
    .regex(/^\d+$/, { error })
    .transform(Number)
    .pipe(z.number().min(min, { error }).max(max, { error }));
}

/** Parses a comma-separated list of namespace names, ignoring empty items between commas. */
export function namespaceList(name: string) {
  return z.string().transform((value, ctx) => {
    const items = [...new Set(splitList(value))];
    const invalid = items.filter((item) => !NAMESPACE_NAME.test(item));
    if (items.length > 0 && invalid.length === 0) return items;
    const problem =
      items.length === 0
        ? 'it lists no namespace'
        : `${invalid.map(quote).join(', ')} is not a namespace name (lower-case DNS label)`;
    reject(ctx, `${name} is ${quote(value)}, which is invalid: ${problem}`);
    return z.NEVER;
  });
}

/** Validates one namespace name (a lower-case DNS label). */
export function namespaceName(name: string) {
  return z.string().regex(NAMESPACE_NAME, {
    error: (issue) => `${name} is ${quote(issue.input)}, which is not a namespace name (lower-case DNS label)`,
  });
}

/** Parses `true` or `false` without regard to case. */
export function onOff(name: string) {
  return z.string().transform((value, ctx) => {
    const lower = value.toLowerCase();
    if (lower === 'true' || lower === 'false') return lower === 'true';
    reject(ctx, `${name} is ${quote(value)}, which is neither true nor false`);
    return z.NEVER;
  });
}

/** Parses `all` or a comma-separated list of {@link ROLES}. `all` anywhere in it means all. */
export function roleList(name: string) {
  return z.string().transform((value, ctx) => {
    const items = splitList(value.toLowerCase());
    if (items.includes('all')) return [...ROLES];
    const unknown = items.filter((item) => !(ROLES as readonly string[]).includes(item));
    if (items.length > 0 && unknown.length === 0) {
      return ROLES.filter((role) => items.includes(role));
    }
    const problem =
      items.length === 0 ? 'it lists no role' : `unknown role ${unknown.map(quote).join(', ')}`;
    reject(ctx, `${name} is ${quote(value)}, which is invalid: ${problem}`);
    return z.NEVER;
  });
}

function splitList(value: string): string[] {
  return value.split(',').map((item) => item.trim()).filter((item) => item !== '');
}

/** Parses a pino level name without regard to case. */
export function logLevel(name: string) {
  return z.string().transform((value, ctx) => {
    const level = LOG_LEVELS.find((candidate) => candidate === value.toLowerCase());
    if (level !== undefined) return level;
    reject(ctx, `${name} is ${quote(value)}, which is not a log level`);
    return z.NEVER;
  });
}

/**
 * Validates a short name made of letters, digits, `.`, `_` and `-` that starts with a letter
 * or digit. `:` is excluded because it separates the parts of Redis keys.
 */
export function plainName(name: string, maxLength: number) {
  const pattern = new RegExp(`^[A-Za-z0-9][A-Za-z0-9._-]{0,${maxLength - 1}}$`);
  const allowed =
    `a name of up to ${maxLength} letters, digits, ".", "_" or "-" that starts with a letter or digit`;
  return z.string().regex(pattern, {
    error: (issue) => `${name} is ${quote(issue.input)}, which is not ${allowed}`,
  });
}
