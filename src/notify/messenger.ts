/** A rendered message: the fallback text and its Block Kit blocks. */
export interface RenderedMessage {
  text: string;
  blocks: unknown[];
}

/** Message metadata that lets jobwatch find its own post again after a crash. */
export interface MessageKey {
  eventType: 'jobwatch_alert' | 'jobwatch_reply' | 'jobwatch_incident' | 'jobwatch_digest';
  key: string;
}

/** The destination of messages: Slack, or the terminal when no Slack token is set. */
export interface Messenger {
  post(request: { channel: string; message: RenderedMessage; threadTs?: string; metadata: MessageKey }): Promise<{ channel: string; ts: string }>;
  update(request: { channel: string; ts: string; message: RenderedMessage }): Promise<void>;
  /**
   * Finds a message posted earlier with this metadata, in the channel or in the thread
   * of `threadTs`, for posts Slack accepted before jobwatch recorded them.
   */
  find(channel: string, metadata: MessageKey, threadTs?: string): Promise<{ ts: string } | undefined>;
}

/** A failed delivery, classified by what the caller should do next. */
export class DeliveryError extends Error {
  readonly code: string;
  /** True when retrying the same request cannot succeed. */
  readonly permanent: boolean;
  /** Set when the service asked us to wait, in seconds. */
  readonly retryAfterSeconds: number | undefined;
  /** True when the channel is the problem, so another channel may work. */
  readonly channelProblem: boolean;

  constructor(message: string, options: { code: string; permanent: boolean; retryAfterSeconds?: number; channelProblem?: boolean; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.name = 'DeliveryError';
    this.code = options.code;
    this.permanent = options.permanent;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.channelProblem = options.channelProblem ?? false;
  }
}
