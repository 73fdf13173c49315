import type { Writable } from 'node:stream';
import type { MessageKey, Messenger, RenderedMessage } from './messenger.ts';

/**
 * Prints alerts to a terminal in place of Slack, for running without Slack tokens.
 * A message keeps its id, so an update prints as an update of the same alert.
 */
export class TerminalMessenger implements Messenger {
  readonly #out: Writable;
  readonly #byKey = new Map<string, string>();
  #counter = 0;

  constructor(out: Writable = process.stdout) {
    this.#out = out;
  }

  post(request: { channel: string; message: RenderedMessage; threadTs?: string; metadata: MessageKey }): Promise<{ channel: string; ts: string }> {
    this.#counter += 1;
    const ts = `${Math.floor(Date.now() / 1000)}.${String(this.#counter).padStart(6, '0')}`;
    this.#byKey.set(`${request.channel}/${request.metadata.eventType}/${request.metadata.key}`, ts);
    const where = request.threadTs ? `${request.channel} thread ${request.threadTs}` : request.channel;
    this.#print(`posted to ${where} [${ts}]`, request.message.text, request.threadTs !== undefined);
    return Promise.resolve({ channel: request.channel, ts });
  }

  update(request: { channel: string; ts: string; message: RenderedMessage }): Promise<void> {
    this.#print(`updated ${request.channel} [${request.ts}]`, request.message.text, false);
    return Promise.resolve();
  }

  find(channel: string, metadata: MessageKey): Promise<{ ts: string } | undefined> {
    const ts = this.#byKey.get(`${channel}/${metadata.eventType}/${metadata.key}`);
    return Promise.resolve(ts === undefined ? undefined : { ts });
  }

  #print(title: string, text: string, reply: boolean): void {
    const indent = reply ? '    ' : '';
    const body = text.split('\n').map((line) => `${indent}${line}`).join('\n');
    this.#out.write(`${indent}── ${title}\n${body}\n\n`);
  }
}
