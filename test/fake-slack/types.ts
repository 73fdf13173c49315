import type { Logger } from 'pino';

/**
 * Public shapes of the fake Slack Web API: its options, the records it keeps and
 * the control surface tests use to script faults.
 */

/** A channel the fake workspace starts with. */
export interface ChannelSeed {
  /** Channel id as Slack spells it, e.g. `C0ALERTS`. */
  id: string;
  /** Name without the leading `#`. */
  name: string;
  /** Private channels cannot be joined with `conversations.join`. Default false. */
  isPrivate?: boolean;
  /** Archived channels reject posts with `is_archived`. Default false. */
  isArchived?: boolean;
  /** Whether the bot is already a member. Default true. */
  botIsMember?: boolean;
}

/** A human user of the fake workspace, returned by `users.info`. */
export interface UserSeed {
  id: string;
  name: string;
  realName?: string;
  /** IANA time zone, default `UTC`. */
  tz?: string;
  deleted?: boolean;
}

/** Per-channel token bucket for `chat.postMessage`, on the fake clock. */
export interface ChannelPostLimit {
  /** Tokens added per second. Default 1, Slack's documented pace per channel. */
  perSecond?: number;
  /** Bucket size, the burst allowed after a quiet spell. Default 3. */
  burst?: number;
}

export interface FakeSlackOptions {
  /** The only token the fake accepts. Default `xoxb-test-bot-token`. */
  botToken?: string;
  /** Secret the signing sender uses. Default a fixed test secret. */
  signingSecret?: string;
  /** Channels of the workspace. Default one public channel `C0ALERTS` (#job-alerts). */
  channels?: ChannelSeed[];
  /** Human users. Default two users, `U0ALICE` and `U0BOB`. */
  users?: UserSeed[];
  /** Current time in ms since the epoch, for trigger expiry, ts values and buckets. */
  clock?: () => number;
  /** Turns the per-channel `chat.postMessage` bucket on from the start. Default off. */
  channelPostLimit?: ChannelPostLimit;
  /** Receives start, stop, per-call debug lines and handler failures. Default silent. */
  logger?: Logger;
}

/** One version of a message before an edit replaced it. */
export interface MessageVersion {
  text: string;
  blocks?: unknown[];
  /** Fake-clock time in ms when this version was replaced. */
  replacedAtMs: number;
}

/** A message in channel history: a root message or a thread reply. */
export interface StoredMessage {
  type: 'message';
  channel: string;
  ts: string;
  /** Set on replies (the root's ts) and on roots that have replies. */
  thread_ts?: string;
  text: string;
  blocks?: unknown[];
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
  /** The author: the bot user id for the bot's messages. */
  user: string;
  /** Set on messages posted with the bot token. */
  bot_id?: string;
  subtype?: string;
  /** Files shared by `files.completeUploadExternal`. */
  files?: { id: string; name: string; title: string }[];
  reply_count?: number;
  edited?: { user: string; ts: string };
  /** Earlier versions, oldest first; empty when never edited. */
  edits: MessageVersion[];
}

/** A message sent with `chat.postEphemeral`: it is never part of history. */
export interface StoredEphemeral {
  channel: string;
  user: string;
  message_ts: string;
  thread_ts?: string;
  text: string;
  blocks?: unknown[];
}

/** A file announced with `files.getUploadURLExternal`. */
export interface StoredFile {
  id: string;
  filename: string;
  title: string;
  /** Byte count announced in step 1. */
  length: number;
  /** Bytes received at the upload URL; undefined until then. */
  bytes?: Buffer;
  completed: boolean;
  /** Channels the file was shared to when completed. */
  channels: string[];
  threadTs?: string;
  initialComment?: string;
}

/** A modal view opened or pushed through the fake. */
export interface StoredView {
  id: string;
  rootViewId: string;
  previousViewId: string | null;
  hash: string;
  externalId?: string;
  /** The view as the app sent it, blocks included. */
  view: Record<string, unknown>;
}

/** What the app sent to a `response_url` of the fake. */
export interface RecordedResponse {
  responseUrlId: string;
  /** HTTP status of the fake's response. */
  status: number;
  body: unknown;
  /** Why the fake rejected it; empty when accepted. */
  problems: string[];
}

/** One request to `/api/<method>`, whatever its outcome. */
export interface RecordedCall {
  method: string;
  /** Arguments with the token removed and JSON-string fields parsed when they parse. */
  args: Record<string, unknown>;
  httpStatus: number;
  response: Record<string, unknown>;
  /** Fake-clock time in ms when the request arrived. */
  atMs: number;
}

/** Where an interaction happened, for the response_url it gets. */
export interface ResponseUrlContext {
  channel?: string;
  /** The message the interaction happened in; `replace_original` edits it. */
  messageTs?: string;
}

/** A running fake Slack Web API on 127.0.0.1. */
export interface FakeSlack {
  /** `http://127.0.0.1:<port>/api/`, for `slackApiUrl`. */
  apiUrl: string;
  /** `http://127.0.0.1:<port>`, the base of upload and response URLs. */
  baseUrl: string;
  botToken: string;
  signingSecret: string;
  botUserId: string;
  botId: string;
  teamId: string;
  /** Channels of the workspace with their current membership and flags. */
  channels(): Required<ChannelSeed>[];
  /** Root messages and replies of one channel, or of all, in ts order. */
  messages(channel?: string): StoredMessage[];
  /** The root message with `ts` and its replies, in ts order. */
  thread(channel: string, ts: string): StoredMessage[];
  ephemeralMessages(channel?: string): StoredEphemeral[];
  /** Every API request, optionally only those to one method, in arrival order. */
  calls(method?: string): RecordedCall[];
  files(): StoredFile[];
  views(): StoredView[];
  responses(responseUrlId?: string): RecordedResponse[];
  /** Rejects the next `calls` requests to `method` with 429 and this Retry-After. */
  rateLimit(method: string, opts: { calls: number; retryAfterSeconds: number }): void;
  /** Fails the next `times` (default 1) requests to `method` with the error code or HTTP status. */
  failNext(method: string, error: string | { httpStatus: number }, times?: number): void;
  /** Runs the next request to `method` normally but responds only after `delayMs` wall-clock ms. */
  acceptThenTimeout(method: string, delayMs: number): void;
  /** Switches the per-channel `chat.postMessage` bucket on, or off with `null`. */
  setChannelPostLimit(limit: ChannelPostLimit | null): void;
  /** Mints a trigger_id valid for 3000 ms of fake clock and one exchange. */
  issueTrigger(context?: { viewId?: string }): string;
  /** Mints a response_url on the fake, valid for 30 min of fake clock and 5 uses. */
  issueResponseUrl(context?: ResponseUrlContext): string;
  /** Adds a message written by a human user, as if typed in the Slack client. */
  postAsUser(channel: string, user: string, text: string, threadTs?: string): StoredMessage;
  stop(): Promise<void>;
}
