/**
 * Checks of the Kubernetes names a user types into a command. A failed check returns a
 * sentence in Slack mrkdwn that shows the value escaped, so a name such as `<!channel>`
 * notifies no one when the message is posted.
 */
import { inlineCode } from './mrkdwn.ts';

/** The kind of name checked, which selects the rule the API server applies. */
export type NameKind = 'job' | 'namespace' | 'container';

/** Maximum length of every kind of name checked here, in characters. */
export const MAX_NAME_LENGTH = 63;

/** Maximum length of a value shown in a message, in characters, so a pasted log line stays short. */
const MAX_SHOWN_CHARS = 80;

// DNS-1123 label: a namespace or container name.
const LABEL = /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?$/;
// DNS-1123 subdomain: a Job name. A Job name also becomes the `job-name` label value on its
// pods, so the API server caps it at 63 characters rather than the subdomain's 253.
const SUBDOMAIN = /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*$/;

const RULES: Record<NameKind, { label: string; pattern: RegExp; characters: string }> = {
  job: {
    label: 'Job name',
    pattern: SUBDOMAIN,
    characters: 'lowercase letters, digits, `-` and `.`',
  },
  namespace: {
    label: 'namespace',
    pattern: LABEL,
    characters: 'lowercase letters, digits and `-`',
  },
  container: {
    label: 'container name',
    pattern: LABEL,
    characters: 'lowercase letters, digits and `-`',
  },
};

/** Shows a user-given value as an escaped inline code span, cut to a readable length. */
export function shownValue(value: string): string {
  return inlineCode(value, MAX_SHOWN_CHARS);
}

/**
 * Checks one name against the Kubernetes rule for its kind. Returns `undefined` when the
 * name is valid, else a sentence that explains what is wrong with it.
 */
export function checkKubeName(kind: NameKind, value: string): string | undefined {
  const rule = RULES[kind];
  const shown = shownValue(value);
  if (value.length > MAX_NAME_LENGTH) {
    return (
      `Invalid ${rule.label} ${shown}: it has ${value.length} characters, ` +
      `and Kubernetes allows at most ${MAX_NAME_LENGTH}.`
    );
  }
  if (rule.pattern.test(value)) return undefined;
  const lower = value.toLowerCase();
  if (rule.pattern.test(lower)) {
    const hint = `Did you mean ${shownValue(lower)}?`;
    return `Invalid ${rule.label} ${shown}: Kubernetes names are lowercase. ${hint}`;
  }
  const form = `use ${rule.characters}, starting and ending with a letter or digit`;
  return `Invalid ${rule.label} ${shown}: ${form}.`;
}
