import type { IncomingMessage, ServerResponse } from 'node:http';
import { isObject } from './block-kit/checks.ts';
import { checkMessagePayload } from './block-kit/message-content.ts';
import type { ResponseUrlStore } from './interactions.ts';
import { readBody } from './request-body.ts';
import { WORKSPACE, type WorkspaceState } from './state.ts';
import type { RecordedResponse, ResponseUrlContext } from './types.ts';

function parseJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/** Applies `replace_original` and `delete_original` to the message the interaction came from. */
function applyToSource(
  state: WorkspaceState,
  context: ResponseUrlContext,
  body: Record<string, unknown>,
): void {
  if (context.channel === undefined || context.messageTs === undefined) return;
  const message = state.findMessage(context.channel, context.messageTs);
  if (!message) return;
  if (body.delete_original === true) {
    message.edits.push({ text: message.text, replacedAtMs: state.clock() });
    message.text = '';
    message.subtype = 'message_deleted';
    delete message.blocks;
    return;
  }
  if (body.replace_original !== true) return;
  message.edits.push({
    text: message.text,
    replacedAtMs: state.clock(),
    ...(message.blocks ? { blocks: message.blocks } : {}),
  });
  message.text = typeof body.text === 'string' ? body.text : '';
  // replace_original replaces the whole message, so omitted blocks are gone afterwards.
  if (Array.isArray(body.blocks) && body.blocks.length > 0) message.blocks = body.blocks;
  else delete message.blocks;
  message.edited = { user: WORKSPACE.botUserId, ts: state.nextTs() };
}

/**
 * Serves `POST /response/<id>`: records what the app sends to a response_url,
 * validates it like a message, and responds 404 for unknown, used-up or expired
 * URLs and 400 for invalid content, so Bolt's `respond()` throws.
 */
export async function handleResponseUrl(
  deps: { state: WorkspaceState; responseUrls: ResponseUrlStore; responses: RecordedResponse[] },
  id: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const body = parseJson(await readBody(req));
  const use = deps.responseUrls.use(id);
  let status = 200;
  let problems: string[];
  if ('rejected' in use) {
    status = 404;
    problems = [use.rejected];
  } else {
    problems = checkMessagePayload(body);
    if (problems.length > 0) status = 400;
    else if (isObject(body)) applyToSource(deps.state, use.context, body);
  }
  deps.responses.push({ responseUrlId: id, status, body, problems });
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(status === 200 ? { ok: true } : { ok: false, error: problems[0] }));
}
