import { randomBytes } from 'node:crypto';
import { SlackApiError } from '../api-error.ts';
import { readModalView } from '../block-kit/views.ts';
import { WORKSPACE, type WorkspaceState } from '../state.ts';
import type { StoredView } from '../types.ts';
import { type MethodHandler, optionalString } from './context.ts';

/** Slack keeps at most 3 views in one modal stack. */
const MAX_STACK = 3;

function newHash(state: WorkspaceState): string {
  return `${Math.floor(state.clock() / 1000)}.${randomBytes(6).toString('hex')}`;
}

function requireUniqueExternalId(state: WorkspaceState, externalId: unknown, ownId?: string): void {
  if (typeof externalId !== 'string') return;
  const clash = [...state.views.values()].some(
    (stored) => stored.externalId === externalId && stored.id !== ownId,
  );
  if (clash) throw new SlackApiError('duplicate_external_id');
}

/** Shapes a stored view the way views.* methods return it. */
export function toApiView(stored: StoredView): Record<string, unknown> {
  const { view } = stored;
  return {
    id: stored.id,
    team_id: WORKSPACE.teamId,
    type: view.type,
    title: view.title,
    submit: view.submit ?? null,
    close: view.close ?? null,
    blocks: view.blocks,
    private_metadata: view.private_metadata ?? '',
    callback_id: view.callback_id ?? '',
    external_id: stored.externalId ?? '',
    state: { values: {} },
    hash: stored.hash,
    clear_on_close: view.clear_on_close ?? false,
    notify_on_close: view.notify_on_close ?? false,
    root_view_id: stored.rootViewId,
    previous_view_id: stored.previousViewId,
    app_id: WORKSPACE.appId,
    bot_id: WORKSPACE.botId,
    app_installed_team_id: WORKSPACE.teamId,
  };
}

function storeView(
  state: WorkspaceState,
  view: Record<string, unknown>,
  stack: { rootViewId?: string; previousViewId: string | null },
): StoredView {
  const id = state.nextId('V');
  const stored: StoredView = {
    id,
    rootViewId: stack.rootViewId ?? id,
    previousViewId: stack.previousViewId,
    hash: newHash(state),
    view,
  };
  if (typeof view.external_id === 'string') stored.externalId = view.external_id;
  state.views.set(id, stored);
  return stored;
}

/**
 * Opens a modal. The trigger is exchanged before the view is checked, so a
 * late or reused trigger_id fails as `expired_trigger_id` or
 * `exchanged_trigger_id` whatever the view contains.
 */
export const open: MethodHandler = ({ args, state, triggers }) => {
  triggers.exchange(args.trigger_id ?? args.interactivity_pointer);
  const view = readModalView(args.view);
  requireUniqueExternalId(state, view.external_id);
  return { view: toApiView(storeView(state, view, { previousViewId: null })) };
};

function findView(state: WorkspaceState, args: Record<string, unknown>): StoredView {
  const viewId = optionalString(args, 'view_id');
  const externalId = optionalString(args, 'external_id');
  if (viewId === undefined && externalId === undefined) {
    throw new SlackApiError('invalid_arguments', [
      '[ERROR] must provide view_id or external_id [json-pointer:/view_id]',
    ]);
  }
  const found = [...state.views.values()].find(
    (stored) =>
      (viewId !== undefined && stored.id === viewId) ||
      (externalId !== undefined && stored.externalId === externalId),
  );
  if (!found) throw new SlackApiError('not_found');
  return found;
}

/** Replaces a view by id or external_id; a stale `hash` fails with `hash_conflict`. */
export const update: MethodHandler = ({ args, state }) => {
  const stored = findView(state, args);
  const hash = optionalString(args, 'hash');
  if (hash !== undefined && hash !== stored.hash) throw new SlackApiError('hash_conflict');
  const view = readModalView(args.view);
  requireUniqueExternalId(state, view.external_id, stored.id);
  stored.view = view;
  stored.hash = newHash(state);
  if (typeof view.external_id === 'string') stored.externalId = view.external_id;
  return { view: toApiView(stored) };
};

/**
 * Pushes a view onto the stack of the modal the trigger came from, or of the
 * most recently opened modal when the trigger came from a message.
 */
export const push: MethodHandler = ({ args, state, triggers }) => {
  const { viewId } = triggers.exchange(args.trigger_id ?? args.interactivity_pointer);
  const view = readModalView(args.view);
  const all = [...state.views.values()];
  const below = viewId === undefined ? all.at(-1) : state.views.get(viewId);
  if (!below) throw new SlackApiError('not_found');
  const stack = all.filter((stored) => stored.rootViewId === below.rootViewId);
  if (stack.length >= MAX_STACK) throw new SlackApiError('push_limit_reached');
  requireUniqueExternalId(state, view.external_id);
  const top = stack.at(-1) ?? below;
  const pushed = storeView(state, view, { rootViewId: below.rootViewId, previousViewId: top.id });
  return { view: toApiView(pushed) };
};
