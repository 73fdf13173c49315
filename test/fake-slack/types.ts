import type { Logger } from 'pino';
import type { BlockActionTarget, SlashCommandFields, ViewSubmission } from './sender.ts';

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
  /** User group ids (`S…`) the user belongs to, for `usergroups.users.list`. */
  groups?: string[];
}

/** Per-channel token bucket for `chat.postMessage`, on the fake clock. */
export interface ChannelPostLimit {
  /** Tokens added per second. Default 1, Slack's documented pace per channel. */
  perSecond?: number;
  /** Bucket size, the burst allowed after a quiet spell. Default 3. */
  burst?: number;
}

/** Workspace-wide token bucket for `chat.update`, on the fake clock. */
export interface UpdateLimit {
  /** Tokens added per minute. Default 50, Slack's Tier 3 pace. */
  perMinute?: number;
  /** Bucket size, the burst allowed after a quiet spell. Default 10. */
  burst?: number;
}

export interface FakeSlackOptions {
  /** The only token the fake accepts. Default `xoxb-test-bot-token`. */
  botToken?: string;
  /**
   * The only app-level token `apps.connections.open` accepts.
   * Default `xapp-1-A0JWAPP-1-fake-app-token`.
   */
  appToken?: string;
  /** Wall-clock ms a Socket Mode envelope waits for its ack. Default 3000, Slack's limit. */
  socketAckTimeoutMs?: number;
  /** Wall-clock ms between the fake's pings on each Socket Mode connection. Default 10,000. */
  socketPingIntervalMs?: number;
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
  /** Turns the workspace-wide `chat.update` bucket on from the start. Default off. */
  updateLimit?: UpdateLimit;
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
  /** App-level token (`xapp-…`) for `apps.connections.open`. */
  appToken: string;
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
  /** Switches the workspace-wide `chat.update` bucket on, or off with `null`. */
  setUpdateLimit(limit: UpdateLimit | null): void;
  /** Mints a trigger_id valid for 3000 ms of fake clock and one exchange. */
  issueTrigger(context?: { viewId?: string }): string;
  /** Mints a response_url on the fake, valid for 30 min of fake clock and 5 uses. */
  issueResponseUrl(context?: ResponseUrlContext): string;
  /** Adds a message written by a human user, as if typed in the Slack client. */
  postAsUser(channel: string, user: string, text: string, threadTs?: string): StoredMessage;
  /** Socket Mode: connections opened through `apps.connections.open` and deliveries over them. */
  socket: FakeSocketMode;
  stop(): Promise<void>;
}

export type SocketEnvelopeType = 'slash_commands' | 'interactive' | 'events_api';

/** Reason Slack gives when it sends a Socket Mode client `disconnect`. */
export type SocketDisconnectReason = 'warning' | 'refresh_requested' | 'link_disabled';

/** One message Slack pushes over a Socket Mode connection. */
export interface SocketEnvelope {
  envelope_id: string;
  type: SocketEnvelopeType;
  /** The same JSON an HTTP request would carry; slash command fields as strings. */
  payload: Record<string, unknown>;
  /** Whether the ack's `payload` is used, as the body of an HTTP response would be. */
  accepts_response_payload: boolean;
  /** Only on `events_api` envelopes: 0 first, then 1 to 3 on retries. */
  retry_attempt?: number;
  /** Only on `events_api` envelopes: `''` first, `timeout` on retries after a missing ack. */
  retry_reason?: string;
}

/** One send of an envelope and what became of it. */
export interface SocketAttempt {
  envelope: SocketEnvelope;
  /** The connection it was sent on, see {@link SocketConnectionInfo.id}. */
  connectionId: number;
  outcome: 'acked' | 'timed_out';
  /** The ack's `payload`, `{}` when the ack had none; also set for an ack that came late. */
  ackPayload?: Record<string, unknown>;
  /** True when the ack arrived after the timeout; Slack ignores such acks. */
  lateAck?: boolean;
}

/** The outcome of one delivery: its attempts, in order, and the checks of the ack. */
export interface SocketDelivery {
  type: SocketEnvelopeType;
  acked: boolean;
  attempts: SocketAttempt[];
  /** The payload of the ack that counted, when one did. */
  ackPayload?: Record<string, unknown>;
  /** What is wrong with that ack, as `ackProblems` of the HTTP sender lists it. */
  ackProblems: string[];
}

/** A Socket Mode connection as the fake saw it. */
export interface SocketConnectionInfo {
  /** 1 for the first connection, counting up. */
  id: number;
  /** Whether it is open now. */
  open: boolean;
  /** The reason of the `disconnect` message the fake sent on it, if any. */
  disconnectReason?: SocketDisconnectReason;
  /** The WebSocket close code, once closed. */
  closeCode?: number;
}

/** A payload to deliver as one `events_api` envelope; `event` is the event itself. */
export interface SocketEventCallback {
  event: Record<string, unknown>;
  /** Default a fresh `Ev…` id; retries keep it. */
  eventId?: string;
}

/**
 * The Socket Mode side of the fake. Deliveries go to the newest open connection that got
 * `hello`, wait `socketAckTimeoutMs` for the ack, and resolve with what happened. Only
 * `events_api` envelopes are retried, up to 3 times, because Slack retries Events API
 * deliveries and shows the user an error for unacknowledged commands and interactions.
 */
export interface FakeSocketMode {
  deliver(
    type: SocketEnvelopeType,
    payload: Record<string, unknown>,
    options?: { acceptsResponsePayload?: boolean },
  ): Promise<SocketDelivery>;
  /** Delivers a slash command; fields default as in `sendSlashCommand` with a fake. */
  sendSlashCommand(
    fields: Partial<SlashCommandFields> & { command: string; text: string },
  ): Promise<SocketDelivery>;
  /** Delivers a click on a message the fake stored, as `sendBlockAction` builds it. */
  sendBlockAction(target: BlockActionTarget): Promise<SocketDelivery>;
  /** Delivers a modal submission and checks the ack against the stored view. */
  sendViewSubmission(submission: ViewSubmission): Promise<SocketDelivery>;
  /** Delivers an Events API event callback. */
  sendEvent(callback: SocketEventCallback): Promise<SocketDelivery>;
  /** Every connection so far, oldest first. */
  connections(): SocketConnectionInfo[];
  /** Resolves once `count` connections in all have received `hello`. */
  waitForConnections(count: number): Promise<void>;
  /** Sends `disconnect` on every open connection. `link_disabled` also closes them at once. */
  disconnect(reason: SocketDisconnectReason): void;
  /** Drops every open connection without a close handshake, as a network failure would. */
  drop(): void;
  /** Messages from clients that the fake could not match: bad JSON, unknown envelope ids. */
  strayMessages(): string[];
}
