import { SlackApiError } from '../api-error.ts';
import { decodeJsonField, readMessageBlocks } from '../block-kit/message-content.ts';
import { isObject } from '../block-kit/checks.ts';
import { WORKSPACE, type WorkspaceState } from '../state.ts';
import type { StoredFile, StoredMessage } from '../types.ts';
import {
  type MethodHandler,
  optionalString,
  requirePostable,
  resolveChannel,
  resolveThreadTs,
} from './context.ts';

/** Step 1 of an upload: announces a file and returns the URL for its bytes. */
export const getUploadURLExternal: MethodHandler = ({ args, state, baseUrl }) => {
  const filename = optionalString(args, 'filename');
  const rawLength = optionalString(args, 'length');
  if (filename === undefined || rawLength === undefined)
    throw new SlackApiError('missing_argument');
  const length = Number(rawLength);
  if (!Number.isInteger(length) || length < 1) {
    throw new SlackApiError('invalid_arguments', [
      `[ERROR] length must be a positive integer, got ${rawLength} [json-pointer:/length]`,
    ]);
  }
  const id = state.nextId('F');
  state.files.set(id, { id, filename, title: filename, length, completed: false, channels: [] });
  return { upload_url: `${baseUrl}/upload/${id}`, file_id: id };
};

interface CompletedFile {
  file: StoredFile;
  title: string | undefined;
}

/** Reads `files`, a JSON array of `{id, title?}`; every id must have received its bytes. */
function readFiles(state: WorkspaceState, raw: unknown): CompletedFile[] {
  const decoded = decodeJsonField(raw);
  if ('invalid' in decoded || !Array.isArray(decoded.value) || decoded.value.length === 0) {
    throw new SlackApiError('invalid_arguments', [
      '[ERROR] files must be a non-empty JSON array of {id, title} [json-pointer:/files]',
    ]);
  }
  return decoded.value.map((entry: unknown) => {
    const id = isObject(entry) && typeof entry.id === 'string' ? entry.id : undefined;
    const file = id === undefined ? undefined : state.files.get(id);
    if (!file || file.bytes === undefined) throw new SlackApiError('file_not_found');
    const title = isObject(entry) && typeof entry.title === 'string' ? entry.title : undefined;
    return { file, title };
  });
}

function shareMessage(
  state: WorkspaceState,
  channelId: string,
  files: StoredFile[],
  content: {
    threadTs: string | undefined;
    comment: string | undefined;
    blocks: unknown[] | undefined;
  },
): void {
  const message: StoredMessage = {
    type: 'message',
    channel: channelId,
    ts: state.nextTs(),
    text: content.comment ?? '',
    user: WORKSPACE.botUserId,
    bot_id: WORKSPACE.botId,
    files: files.map((file) => ({ id: file.id, name: file.filename, title: file.title })),
    edits: [],
  };
  if (content.threadTs !== undefined) message.thread_ts = content.threadTs;
  // Slack ignores blocks when initial_comment is given.
  if (content.comment === undefined && content.blocks !== undefined)
    message.blocks = content.blocks;
  state.addMessage(message);
}

/**
 * Step 3 of an upload: completes the files and, with `channel_id`, shares them
 * in one message, in the thread of `thread_ts` when given. Real Slack shares
 * asynchronously; the fake stores the message before it responds.
 */
export const completeUploadExternal: MethodHandler = ({ args, state }) => {
  const completed = readFiles(state, args.files);
  const channelArg = optionalString(args, 'channel_id');
  const channel = channelArg === undefined ? undefined : resolveChannel(state, channelArg);
  if (channel) requirePostable(channel);
  const threadTs = channel ? resolveThreadTs(state, channel, args.thread_ts) : undefined;
  const comment = optionalString(args, 'initial_comment');
  const blocks = readMessageBlocks(args.blocks);
  for (const { file, title } of completed) {
    file.completed = true;
    if (title !== undefined) file.title = title;
    if (comment !== undefined) file.initialComment = comment;
    if (channel) file.channels.push(channel.id);
    if (threadTs !== undefined) file.threadTs = threadTs;
  }
  const files = completed.map(({ file }) => file);
  if (channel) shareMessage(state, channel.id, files, { threadTs, comment, blocks });
  return { files: files.map((file) => ({ id: file.id, title: file.title, name: file.filename })) };
};
