import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { type WebSocket, WebSocketServer } from 'ws';
import type {
  SocketAttempt,
  SocketConnectionInfo,
  SocketDelivery,
  SocketDisconnectReason,
  SocketEnvelope,
  SocketEnvelopeType,
} from './types.ts';

/** Path of the WebSocket URLs that `apps.connections.open` returns. */
export const SOCKET_LINK_PATH = '/link/';
/** Slack retries an unacknowledged Events API delivery up to 3 times. */
export const EVENTS_API_MAX_RETRIES = 3;
/** How long a client may stay on a connection after `disconnect` before the fake cuts it. */
const DISCONNECT_GRACE_MS = 10_000;

export interface SocketModeServerOptions {
  log: Logger;
  appId: string;
  /** Wall-clock ms an envelope waits for its ack. */
  ackTimeoutMs: number;
  /** Wall-clock ms between pings; the client reconnects after 30 s without one. */
  pingIntervalMs: number;
}

/** What to deliver, and how to check the ack payload that counts. */
export interface SocketDeliveryRequest {
  type: SocketEnvelopeType;
  payload: Record<string, unknown>;
  acceptsResponsePayload: boolean;
  checkAck: (ackPayload: Record<string, unknown>) => string[];
}

interface Link {
  info: SocketConnectionInfo;
  ws: WebSocket;
  ready: boolean;
  pingTimer: NodeJS.Timeout;
  graceTimer?: NodeJS.Timeout;
}

interface PendingAck {
  attempt: SocketAttempt;
  timer: NodeJS.Timeout;
  settle: () => void;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The Socket Mode server of the fake: single-use tickets minted by `apps.connections.open`,
 * WebSocket links upgraded on the fake's own port, `hello`, pings, envelopes and acks.
 */
export class SocketModeServer {
  private readonly options: SocketModeServerOptions;
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly tickets = new Set<string>();
  private readonly links: Link[] = [];
  private readonly pending = new Map<string, PendingAck>();
  private readonly answered = new Map<string, SocketAttempt>();
  private readonly stray: string[] = [];
  private readonly readyListeners = new Set<() => void>();
  private closed = false;

  constructor(options: SocketModeServerOptions) {
    this.options = options;
  }

  /** Serves `apps.connections.open`: a URL with a ticket that opens one connection. */
  openConnection(baseUrl: string): Record<string, unknown> {
    const ticket = randomBytes(16).toString('hex');
    this.tickets.add(ticket);
    const wsBase = baseUrl.replace(/^http/, 'ws');
    return { url: `${wsBase}${SOCKET_LINK_PATH}?ticket=${ticket}&app_id=${this.options.appId}` };
  }

  /** Accepts an HTTP upgrade to a link whose ticket is known and unused, else responds 401. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const ticket = url.searchParams.get('ticket');
    if (url.pathname !== SOCKET_LINK_PATH || ticket === null || !this.tickets.delete(ticket)) {
      const path = url.pathname;
      this.options.log.warn({ path }, 'fake slack rejected a socket without a valid ticket');
      socket.end('HTTP/1.1 401 Unauthorized\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws));
  }

  private accept(ws: WebSocket): void {
    const info: SocketConnectionInfo = { id: this.links.length + 1, open: true };
    const pingTimer = setInterval(() => ws.ping(), this.options.pingIntervalMs);
    pingTimer.unref();
    const link: Link = { info, ws, ready: false, pingTimer };
    this.links.push(link);
    ws.on('message', (data) => this.receive(link, data.toString('utf8')));
    ws.on('error', (err) => {
      this.options.log.warn({ err, connection: info.id }, 'fake slack socket error');
    });
    ws.on('close', (code) => {
      info.open = false;
      info.closeCode = code;
      clearInterval(pingTimer);
      clearTimeout(link.graceTimer);
    });
    const openCount = this.links.filter((candidate) => candidate.info.open).length;
    ws.send(
      JSON.stringify({
        type: 'hello',
        num_connections: openCount,
        debug_info: {
          host: `applink-fake-${info.id}`,
          build_number: 1,
          approximate_connection_time: 18_060,
        },
        connection_info: { app_id: this.options.appId },
      }),
    );
    link.ready = true;
    for (const listener of this.readyListeners) listener();
  }

  /** Matches an ack to its envelope; anything that matches nothing is kept as a stray message. */
  private receive(link: Link, text: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      this.stray.push(`connection ${link.info.id}: not JSON: ${text.slice(0, 200)}`);
      return;
    }
    const envelopeId = isObject(parsed) ? parsed.envelope_id : undefined;
    const payload = isObject(parsed) ? (parsed.payload ?? {}) : undefined;
    if (typeof envelopeId !== 'string' || !isObject(payload)) {
      this.stray.push(
        `connection ${link.info.id}: not an ack with an envelope_id and an object payload: ` +
          text.slice(0, 200),
      );
      return;
    }
    const pending = this.pending.get(envelopeId);
    if (pending && pending.attempt.connectionId === link.info.id) {
      pending.attempt.outcome = 'acked';
      pending.attempt.ackPayload = payload;
      pending.settle();
      return;
    }
    const late = this.answered.get(envelopeId);
    if (late && late.outcome === 'timed_out' && late.lateAck !== true) {
      late.lateAck = true;
      late.ackPayload = payload;
      return;
    }
    this.stray.push(
      `connection ${link.info.id}: ack for an unknown, other-connection or already acked ` +
        `envelope_id ${envelopeId}`,
    );
  }

  /**
   * Delivers one payload and resolves once it is acked or every attempt timed out. Retries of
   * `events_api` envelopes go out at once with a new envelope_id, where Slack spaces them out.
   */
  async deliver(request: SocketDeliveryRequest): Promise<SocketDelivery> {
    const attempts: SocketAttempt[] = [];
    const retries = request.type === 'events_api' ? EVENTS_API_MAX_RETRIES : 0;
    for (let retry = 0; retry <= retries && !this.closed; retry += 1) {
      const attempt = await this.sendOnce(this.envelope(request, retry), retry > 0);
      attempts.push(attempt);
      if (attempt.outcome === 'acked') {
        const ackPayload = attempt.ackPayload ?? {};
        const ignored = !request.acceptsResponsePayload && Object.keys(ackPayload).length > 0;
        const ackProblems = ignored
          ? ['accepts_response_payload is false, so Slack ignores the ack payload']
          : request.checkAck(ackPayload);
        return { type: request.type, acked: true, attempts, ackPayload, ackProblems };
      }
    }
    return { type: request.type, acked: false, attempts, ackProblems: [] };
  }

  private envelope(request: SocketDeliveryRequest, retry: number): SocketEnvelope {
    const envelope: SocketEnvelope = {
      envelope_id: randomUUID(),
      type: request.type,
      payload: request.payload,
      accepts_response_payload: request.acceptsResponsePayload,
    };
    if (request.type === 'events_api') {
      envelope.retry_attempt = retry;
      envelope.retry_reason = retry === 0 ? '' : 'timeout';
    }
    return envelope;
  }

  private async sendOnce(envelope: SocketEnvelope, waitForLink: boolean): Promise<SocketAttempt> {
    let link = this.newestReadyLink();
    if (!link && waitForLink) link = await this.nextReadyLink();
    if (!link) {
      throw new Error(
        'no Socket Mode connection has received hello; start the app and await ' +
          'fake.socket.waitForConnections(1) before delivering',
      );
    }
    const attempt: SocketAttempt = { envelope, connectionId: link.info.id, outcome: 'timed_out' };
    const settled = new Promise<void>((resolve) => {
      const settle = (): void => {
        clearTimeout(this.pending.get(envelope.envelope_id)?.timer);
        this.pending.delete(envelope.envelope_id);
        this.answered.set(envelope.envelope_id, attempt);
        resolve();
      };
      const timer = setTimeout(settle, this.options.ackTimeoutMs);
      this.pending.set(envelope.envelope_id, { attempt, timer, settle });
    });
    link.ws.send(JSON.stringify(envelope));
    await settled;
    return attempt;
  }

  private newestReadyLink(): Link | undefined {
    return this.links.findLast((link) => link.ready && link.info.open);
  }

  private nextReadyLink(): Promise<Link | undefined> {
    return new Promise((resolve) => {
      const listener = (): void => {
        const link = this.newestReadyLink();
        if (!link && !this.closed) return;
        this.readyListeners.delete(listener);
        resolve(link);
      };
      this.readyListeners.add(listener);
    });
  }

  connections(): SocketConnectionInfo[] {
    return this.links.map((link) => ({ ...link.info }));
  }

  waitForConnections(count: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const listener = (): void => {
        if (this.closed) reject(new Error(`fake Slack stopped before ${count} socket connections`));
        else if (this.links.filter((link) => link.ready).length < count) return;
        else resolve();
        this.readyListeners.delete(listener);
      };
      this.readyListeners.add(listener);
      listener();
    });
  }

  disconnect(reason: SocketDisconnectReason): void {
    for (const link of this.links.filter((candidate) => candidate.info.open)) {
      link.info.disconnectReason = reason;
      const debugInfo = { host: `applink-fake-${link.info.id}` };
      link.ws.send(JSON.stringify({ type: 'disconnect', reason, debug_info: debugInfo }));
      if (reason === 'link_disabled') {
        link.ws.close(1000, 'link_disabled');
        continue;
      }
      link.graceTimer = setTimeout(() => link.ws.terminate(), DISCONNECT_GRACE_MS);
      link.graceTimer.unref();
    }
  }

  drop(): void {
    for (const link of this.links.filter((candidate) => candidate.info.open)) link.ws.terminate();
  }

  strayMessages(): string[] {
    return [...this.stray];
  }

  /** Cuts every link and settles pending acks as timed out, so no delivery hangs. */
  close(): void {
    this.closed = true;
    for (const pending of [...this.pending.values()]) pending.settle();
    for (const listener of [...this.readyListeners]) listener();
    this.drop();
    this.wss.close();
  }
}
