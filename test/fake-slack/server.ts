import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { pino } from 'pino';
import { type ApiRouteDeps, handleApiRequest } from './api-route.ts';
import { ScriptedFaults } from './faults.ts';
import { ResponseUrlStore, TriggerStore } from './interactions.ts';
import { ChannelPostLimiter, WorkspaceUpdateLimiter } from './rate-limits.ts';
import { handleResponseUrl } from './response-route.ts';
import { SocketModeServer } from './socket-mode.ts';
import { createSocketControls } from './socket-senders.ts';
import { DEFAULT_CHANNELS, DEFAULT_USERS, WORKSPACE, WorkspaceState } from './state.ts';
import type {
  FakeSlack,
  FakeSlackOptions,
  RecordedResponse,
  StoredFile,
  StoredMessage,
} from './types.ts';
import { handleUpload } from './upload-route.ts';

export const DEFAULT_BOT_TOKEN = 'xoxb-test-bot-token';
export const DEFAULT_APP_TOKEN = 'xapp-1-A0JWAPP-1-fake-app-token';
export const DEFAULT_SIGNING_SECRET = 'fake-slack-signing-secret-0123456789abcdef';

interface Routes {
  api: ApiRouteDeps;
  responses: RecordedResponse[];
  responseUrls: ResponseUrlStore;
}

async function route(routes: Routes, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const [, area, id = ''] = url.pathname.split('/');
  if (area === 'api' && id !== '') {
    await handleApiRequest(routes.api, decodeURIComponent(id), req, res, url);
    return;
  }
  if (area === 'upload' && req.method === 'POST') {
    await handleUpload(routes.api.state, id, req, res);
    return;
  }
  if (area === 'response' && req.method === 'POST') {
    const { state } = routes.api;
    await handleResponseUrl(
      { state, responseUrls: routes.responseUrls, responses: routes.responses },
      id,
      req,
      res,
    );
    return;
  }
  res.writeHead(404, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ ok: false, error: 'not_found', path: url.pathname }));
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

/** Posts a message as a human, for tests of updates to messages the bot did not write. */
function postAsUser(
  state: WorkspaceState,
  channel: string,
  user: string,
  text: string,
  threadTs?: string,
): StoredMessage {
  const found = state.findChannel(channel);
  if (!found)
    throw new Error(`postAsUser: unknown channel ${channel}; seed it in options.channels`);
  const message: StoredMessage = {
    type: 'message',
    channel: found.id,
    ts: state.nextTs(),
    text,
    user,
    edits: [],
  };
  if (threadTs !== undefined) message.thread_ts = threadTs;
  state.addMessage(message);
  return message;
}

/** Copies a file record; structuredClone would turn its Buffer into a plain Uint8Array. */
function copyFile(file: StoredFile): StoredFile {
  const copy: StoredFile = { ...file, channels: [...file.channels] };
  if (file.bytes !== undefined) copy.bytes = Buffer.from(file.bytes);
  return copy;
}

/**
 * Starts a strict fake of the Slack Web API on a free port of 127.0.0.1.
 * Point `slackApiUrl` of a WebClient or Bolt app at `apiUrl`, and call `stop()`
 * when done.
 */
export async function startFakeSlack(options: FakeSlackOptions = {}): Promise<FakeSlack> {
  const clock = options.clock ?? Date.now;
  const botToken = options.botToken ?? DEFAULT_BOT_TOKEN;
  const signingSecret = options.signingSecret ?? DEFAULT_SIGNING_SECRET;
  const state = new WorkspaceState(
    options.channels ?? DEFAULT_CHANNELS,
    options.users ?? DEFAULT_USERS,
    clock,
  );
  const postLimiter = new ChannelPostLimiter(clock);
  if (options.channelPostLimit) postLimiter.configure(options.channelPostLimit);
  const updateLimiter = new WorkspaceUpdateLimiter(clock);
  if (options.updateLimit) updateLimiter.configure(options.updateLimit);
  const triggers = new TriggerStore(clock);
  const responseUrls = new ResponseUrlStore(clock);
  const faults = new ScriptedFaults();
  const log = options.logger ?? pino({ level: 'silent' });
  const stopping = new AbortController();
  const appToken = options.appToken ?? DEFAULT_APP_TOKEN;
  const socketMode = new SocketModeServer({
    log,
    appId: WORKSPACE.appId,
    ackTimeoutMs: options.socketAckTimeoutMs ?? 3000,
    pingIntervalMs: options.socketPingIntervalMs ?? 10_000,
  });
  const api: ApiRouteDeps = {
    log,
    stopSignal: stopping.signal,
    state,
    triggers,
    postLimiter,
    updateLimiter,
    baseUrl: '',
    botToken,
    appToken,
    socketMode,
    faults,
    calls: [],
  };
  const routes: Routes = { api, responses: [], responseUrls };

  const server = createServer((req, res) => {
    route(routes, req, res).catch((error: unknown) => {
      log.error({ err: error, path: req.url }, 'fake slack request failed');
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`fake Slack failed on ${req.url ?? '?'}: ${String(error)}`);
    });
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) =>
    socketMode.handleUpgrade(req, socket, head),
  );
  const port = await listen(server);
  const baseUrl = `http://127.0.0.1:${port}`;
  api.baseUrl = baseUrl;
  log.info({ apiUrl: `${baseUrl}/api/` }, 'fake slack started');

  const fake: FakeSlack = {
    apiUrl: `${baseUrl}/api/`,
    baseUrl,
    botToken,
    appToken,
    signingSecret,
    botUserId: WORKSPACE.botUserId,
    botId: WORKSPACE.botId,
    teamId: WORKSPACE.teamId,
    channels: () =>
      [...state.channels.values()].map((channel) => ({
        id: channel.id,
        name: channel.name,
        isPrivate: channel.isPrivate,
        isArchived: channel.isArchived,
        botIsMember: channel.botIsMember,
      })),
    // Accessors return copies, so a test cannot change the workspace by accident.
    messages: (channel) =>
      structuredClone(channel === undefined ? state.allMessages() : state.channelHistory(channel)),
    thread: (channel, ts) => structuredClone(state.thread(channel, ts)),
    ephemeralMessages: (channel) =>
      structuredClone(
        state.ephemerals.filter((message) => channel === undefined || message.channel === channel),
      ),
    calls: (method) => api.calls.filter((call) => method === undefined || call.method === method),
    files: () => [...state.files.values()].map(copyFile),
    views: () => structuredClone([...state.views.values()]),
    responses: (id) =>
      routes.responses.filter((response) => id === undefined || response.responseUrlId === id),
    rateLimit: (method, opts) => faults.rateLimit(method, opts.calls, opts.retryAfterSeconds),
    failNext: (method, error, times = 1) => faults.failNext(method, error, times),
    acceptThenTimeout: (method, delayMs) => faults.delayNext(method, delayMs),
    setChannelPostLimit: (limit) => postLimiter.configure(limit),
    setUpdateLimit: (limit) => updateLimiter.configure(limit),
    issueTrigger: (context) => triggers.issue(context),
    issueResponseUrl: (context = {}) => `${baseUrl}/response/${responseUrls.issue(context)}`,
    postAsUser: (channel, user, text, threadTs) => postAsUser(state, channel, user, text, threadTs),
    socket: createSocketControls(socketMode, () => fake),
    stop: () =>
      new Promise<void>((resolve, reject) => {
        stopping.abort();
        socketMode.close();
        server.close((error) => {
          if (error) {
            reject(error);
            return;
          }
          log.info('fake slack stopped');
          resolve();
        });
        server.closeAllConnections();
      }),
  };
  return fake;
}
