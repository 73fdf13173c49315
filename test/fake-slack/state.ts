import type {
  ChannelSeed,
  StoredEphemeral,
  StoredFile,
  StoredMessage,
  StoredView,
  UserSeed,
} from './types.ts';

/** A channel as the fake tracks it; membership changes with `conversations.join`. */
export interface ChannelState {
  id: string;
  name: string;
  isPrivate: boolean;
  isArchived: boolean;
  botIsMember: boolean;
}

/** Identity of the fake workspace and its bot. */
export const WORKSPACE = {
  teamId: 'T0JOBWATCH',
  teamDomain: 'jobwatch-test',
  botUserId: 'U0JWBOT',
  botId: 'B0JWBOT',
  appId: 'A0JWAPP',
} as const;

export const DEFAULT_CHANNELS: ChannelSeed[] = [{ id: 'C0ALERTS', name: 'job-alerts' }];

export const DEFAULT_USERS: UserSeed[] = [
  { id: 'U0ALICE', name: 'alice', realName: 'Alice Operator', groups: ['S0ONCALL'] },
  { id: 'U0BOB', name: 'bob', realName: 'Bob Developer' },
];

/**
 * Everything the fake workspace contains: channels, users, history, uploads and
 * views. Handlers mutate it; the control surface reads it.
 */
export class WorkspaceState {
  readonly channels = new Map<string, ChannelState>();
  readonly users = new Map<string, UserSeed>();
  readonly ephemerals: StoredEphemeral[] = [];
  readonly files = new Map<string, StoredFile>();
  readonly views = new Map<string, StoredView>();
  readonly clock: () => number;
  private readonly history = new Map<string, StoredMessage[]>();
  private lastTsMicros = 0;
  private idCounter = 0;

  constructor(channels: ChannelSeed[], users: UserSeed[], clock: () => number) {
    this.clock = clock;
    for (const seed of channels) {
      this.channels.set(seed.id, {
        id: seed.id,
        name: seed.name.replace(/^#/, ''),
        isPrivate: seed.isPrivate ?? false,
        isArchived: seed.isArchived ?? false,
        botIsMember: seed.botIsMember ?? true,
      });
      this.history.set(seed.id, []);
    }
    for (const user of users) this.users.set(user.id, user);
  }

  /**
   * Returns a message ts from the fake clock, `<10 digits>.<6 digits>`, strictly
   * increasing across the workspace even when the clock does not advance.
   */
  nextTs(): string {
    const micros = Math.max(Math.floor(this.clock() * 1000), this.lastTsMicros + 1);
    this.lastTsMicros = micros;
    const seconds = Math.floor(micros / 1_000_000);
    const fraction = String(micros % 1_000_000).padStart(6, '0');
    return `${String(seconds).padStart(10, '0')}.${fraction}`;
  }

  /** Returns a new id with Slack's one-letter prefix (`F` files, `V` views …). */
  nextId(prefix: string): string {
    this.idCounter += 1;
    return `${prefix}0${String(this.idCounter).padStart(8, '0')}`;
  }

  /** Finds a channel by id, by name, or by `#name`, as `chat.postMessage` accepts. */
  findChannel(idOrName: string): ChannelState | undefined {
    const byId = this.channels.get(idOrName);
    if (byId) return byId;
    const name = idOrName.replace(/^#/, '');
    return [...this.channels.values()].find((channel) => channel.name === name);
  }

  /** Returns the history of one channel in ts order (roots and replies). */
  channelHistory(channelId: string): StoredMessage[] {
    return this.history.get(channelId) ?? [];
  }

  allMessages(): StoredMessage[] {
    return [...this.history.values()].flat().sort((a, b) => compareTs(a.ts, b.ts));
  }

  findMessage(channelId: string, ts: string): StoredMessage | undefined {
    return this.channelHistory(channelId).find((message) => message.ts === ts);
  }

  /** Appends a message; a reply also marks its root with `thread_ts` and `reply_count`. */
  addMessage(message: StoredMessage): void {
    const list = this.history.get(message.channel);
    if (!list) throw new Error(`cannot store a message in unknown channel ${message.channel}`);
    list.push(message);
    list.sort((a, b) => compareTs(a.ts, b.ts));
    if (message.thread_ts === undefined || message.thread_ts === message.ts) return;
    const root = this.findMessage(message.channel, message.thread_ts);
    if (root) {
      root.thread_ts = root.ts;
      root.reply_count = (root.reply_count ?? 0) + 1;
    }
  }

  /** Returns a root message and its replies, in ts order. */
  thread(channelId: string, rootTs: string): StoredMessage[] {
    return this.channelHistory(channelId).filter(
      (message) => message.ts === rootTs || message.thread_ts === rootTs,
    );
  }
}

/** Orders two Slack ts strings numerically, which string order gets wrong for short forms. */
export function compareTs(a: string, b: string): number {
  const [aSeconds = '0', aFraction = '0'] = a.split('.');
  const [bSeconds = '0', bFraction = '0'] = b.split('.');
  const bySeconds = Number(aSeconds) - Number(bSeconds);
  if (bySeconds !== 0) return bySeconds;
  return Number(aFraction.padEnd(6, '0')) - Number(bFraction.padEnd(6, '0'));
}

/** True when a message is a thread reply rather than a root. */
export function isReply(message: StoredMessage): boolean {
  return message.thread_ts !== undefined && message.thread_ts !== message.ts;
}
