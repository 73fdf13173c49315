import { randomBytes } from 'node:crypto';
import { checkViewAck } from './interaction-payloads.ts';
import {
  buildBlockActionPayload,
  buildSlashCommandFields,
  buildViewSubmissionPayload,
  checkCommandAck,
} from './sender.ts';
import type { SocketModeServer } from './socket-mode.ts';
import { WORKSPACE } from './state.ts';
import type { FakeSlack, FakeSocketMode, SocketEnvelopeType } from './types.ts';

/** Interaction types whose ack payload Slack uses: `response_action` and `options`. */
const INTERACTIONS_WITH_RESPONSE = new Set(['view_submission', 'block_suggestion']);

function newEventId(): string {
  return `Ev${randomBytes(5).toString('hex').toUpperCase()}`;
}

function isEmpty(payload: Record<string, unknown>): boolean {
  return Object.keys(payload).length === 0;
}

function acceptsResponsePayload(
  type: SocketEnvelopeType,
  payload: Record<string, unknown>,
): boolean {
  if (type === 'slash_commands') return true;
  return type === 'interactive' && INTERACTIONS_WITH_RESPONSE.has(String(payload.type));
}

function eventCallback(event: Record<string, unknown>, eventId: string): Record<string, unknown> {
  return {
    token: 'legacy-verification-token',
    team_id: WORKSPACE.teamId,
    api_app_id: WORKSPACE.appId,
    event,
    type: 'event_callback',
    event_id: eventId,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [
      {
        enterprise_id: null,
        team_id: WORKSPACE.teamId,
        user_id: WORKSPACE.botUserId,
        is_bot: true,
        is_enterprise_install: false,
      },
    ],
    is_ext_shared_channel: false,
  };
}

/**
 * Builds the `socket` controls of a fake: the same payloads as the signed HTTP senders,
 * delivered as Socket Mode envelopes. An empty ack payload is what Bolt sends for a bare
 * `ack()`, so it passes every check, like an empty HTTP body.
 */
export function createSocketControls(
  server: SocketModeServer,
  fake: () => FakeSlack,
): FakeSocketMode {
  return {
    deliver: (type, payload, options = {}) =>
      server.deliver({
        type,
        payload,
        acceptsResponsePayload:
          options.acceptsResponsePayload ?? acceptsResponsePayload(type, payload),
        checkAck: () => [],
      }),
    sendSlashCommand: (fields) =>
      server.deliver({
        type: 'slash_commands',
        payload: { ...buildSlashCommandFields(fields, fake()) },
        acceptsResponsePayload: true,
        checkAck: (ack) => (isEmpty(ack) ? [] : checkCommandAck(JSON.stringify(ack))),
      }),
    sendBlockAction: (target) =>
      server.deliver({
        type: 'interactive',
        payload: buildBlockActionPayload(fake(), target),
        acceptsResponsePayload: false,
        checkAck: () => [],
      }),
    sendViewSubmission: (submission) => {
      const { payload, view } = buildViewSubmissionPayload(fake(), submission);
      return server.deliver({
        type: 'interactive',
        payload,
        acceptsResponsePayload: true,
        checkAck: (ack) => (isEmpty(ack) ? [] : checkViewAck(view, JSON.stringify(ack))),
      });
    },
    sendEvent: (callback) =>
      server.deliver({
        type: 'events_api',
        payload: eventCallback(callback.event, callback.eventId ?? newEventId()),
        acceptsResponsePayload: false,
        checkAck: () => [],
      }),
    connections: () => server.connections(),
    waitForConnections: (count) => server.waitForConnections(count),
    disconnect: (reason) => server.disconnect(reason),
    drop: () => server.drop(),
    strayMessages: () => server.strayMessages(),
  };
}
