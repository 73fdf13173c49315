import type { IncomingMessage } from 'node:http';
import { SlackApiError } from './api-error.ts';
import { isObject } from './block-kit/checks.ts';

/** Arguments of one Web API request and the token it carried, if any. */
export interface ApiRequest {
  args: Record<string, unknown>;
  token: string | undefined;
}

/** Reads a whole request body. */
export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Parses a multipart body with the platform's own parser; file parts become Buffers. */
export async function parseMultipart(
  contentType: string,
  body: Buffer,
): Promise<Map<string, string | Buffer>> {
  const request = new Request('http://127.0.0.1/', {
    method: 'POST',
    headers: { 'content-type': contentType },
    body: new Uint8Array(body),
  });
  const form = await request.formData();
  const fields = new Map<string, string | Buffer>();
  for (const [name, value] of form.entries()) {
    fields.set(name, typeof value === 'string' ? value : Buffer.from(await value.arrayBuffer()));
  }
  return fields;
}

async function parseArgs(
  contentType: string,
  body: Buffer,
): Promise<{ args: Record<string, unknown>; json: boolean }> {
  const mediaType = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  if (body.length === 0 && mediaType === '') return { args: {}, json: false };
  if (mediaType === '') throw new SlackApiError('missing_post_type');
  if (mediaType === 'application/x-www-form-urlencoded') {
    return { args: Object.fromEntries(new URLSearchParams(body.toString('utf8'))), json: false };
  }
  if (mediaType === 'application/json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      throw new SlackApiError('invalid_json');
    }
    if (!isObject(parsed)) throw new SlackApiError('invalid_json');
    return { args: parsed, json: true };
  }
  if (mediaType === 'multipart/form-data') {
    try {
      return { args: Object.fromEntries(await parseMultipart(contentType, body)), json: false };
    } catch {
      throw new SlackApiError('invalid_form_data');
    }
  }
  throw new SlackApiError('invalid_post_type');
}

/**
 * Parses a Web API request the way Slack accepts it: form, JSON or multipart
 * bodies plus query-string arguments. The token comes from `Authorization:
 * Bearer` or, except in JSON bodies, from a `token` argument.
 */
export async function parseApiRequest(
  req: IncomingMessage,
  body: Buffer,
  url: URL,
): Promise<ApiRequest> {
  const { args, json } = await parseArgs(req.headers['content-type'] ?? '', body);
  for (const [name, value] of url.searchParams) args[name] ??= value;
  const header = req.headers.authorization;
  const bearer = header?.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : undefined;
  const fieldToken = !json && typeof args.token === 'string' ? args.token : undefined;
  delete args.token;
  return { args, token: bearer ?? fieldToken };
}

/** Fields whose form values are JSON strings; recorded calls show them decoded. */
const JSON_FIELDS = ['blocks', 'attachments', 'metadata', 'view', 'files'];

/** Returns a copy of the arguments with JSON-string fields decoded where they parse. */
export function decodeForRecord(args: Record<string, unknown>): Record<string, unknown> {
  const copy = { ...args };
  for (const name of JSON_FIELDS) {
    const value = copy[name];
    if (typeof value !== 'string') continue;
    try {
      copy[name] = JSON.parse(value) as unknown;
    } catch {
      // Left as the raw string, so a test can see what the app sent.
    }
  }
  return copy;
}

/**
 * Converts one argument to the string Slack would see: form values are strings
 * already, JSON numbers and booleans are printed, objects become their JSON.
 */
export function argString(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}
