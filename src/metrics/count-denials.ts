import type { ActionPolicy, ActionVerb } from '../actions/types.ts';
import type { ActionName, Metrics } from './metrics.ts';

/** The action name of a policy verb in `jobwatch_actions_total`. */
const ACTION_OF_VERB: Record<ActionVerb, ActionName> = {
  read: 'read',
  retry: 'retry',
  'raise-limits': 'limits',
  mute: 'mute',
};

/** Wraps a policy so that each request it denies is counted with the outcome `denied`. */
export function countDenials(policy: ActionPolicy, metrics: Pick<Metrics, 'action'>): ActionPolicy {
  return {
    identities: () => policy.identities(),
    decide(actor, verb, namespace) {
      const decision = policy.decide(actor, verb, namespace);
      if (!decision.allowed) metrics.action(ACTION_OF_VERB[verb], 'denied');
      return decision;
    },
  };
}
