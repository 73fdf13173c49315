import type { V1Container, V1Pod, V1PodSpec } from '@kubernetes/client-node';
import { maskBase64, maskLearnedValues, maskPercentEncoded } from './redact-encoded.ts';
import { maskMultilineValues } from './redact-lines.ts';
import { MASK, maskNamedValues, maskPatterns } from './redact-patterns.ts';

/** Facts about the text that its content does not show. */
export interface RedactContext {
  /**
   * Names of environment variables filled from Secrets. Their values are masked in
   * `NAME=value`, `NAME: value` and `"NAME": "value"`, and then wherever else they appear.
   */
  secretEnvNames?: string[];
}

/** CSI sequences (colours, cursor moves), OSC sequences (titles, links) and two-byte escapes. */
// eslint-disable-next-line no-control-regex -- matching terminal escapes is the point
const TERMINAL_ESCAPE = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-Z\\-_]/g;
// Every C0 control character except \t (0x09) and \n (0x0a), plus DEL.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARS = /[\x00-\x08\x0b-\x1f\x7f]/g;

const PEM_PRIVATE_KEY =
  /-----BEGIN ([A-Z0-9 ]{0,32})PRIVATE KEY-----[\s\S]*?(?:-----END \1PRIVATE KEY-----|$)/g;

/**
 * Removes terminal escapes and control characters and masks credentials in
 * text that is about to leave the cluster (logs, termination and event
 * messages, summaries).
 *
 * It masks Slack, GitHub, AWS access key id, Google API key and JWT tokens.
 * It masks `Authorization`, `Cookie` and API key headers, also when JSON or a
 * Python dict quotes them. It masks the values of `password=`, `token=`,
 * `secret=` and `api_key=` style keys in query strings, connection strings,
 * JSON (also JSON nested in a JSON string) and YAML, where a value may start on
 * the next line. Env dump lines whose upper-case name contains KEY, SECRET,
 * TOKEN, PASSWORD or CREDENTIAL are masked, and so are pod spec env entries with
 * such a name and the data of Kubernetes Secret manifests. URL passwords are
 * masked but user and host stay (`postgres://app:****@db:5432/app`). PEM private
 * key blocks, the values of `secretEnvNames` and the pieces of a token wrapped
 * onto the following lines are masked too.
 *
 * Percent-encoded words are decoded and masked in decoded form when they hold a
 * secret. A base64 run that decodes to a secret or to `user:password` becomes
 * `****`. A secret value found through its key is also masked wherever else it
 * appears, in clear, base64 or percent-encoded form.
 *
 * Masked text keeps its shape (`token=****`), masking twice changes nothing,
 * and the work is linear in the length of the text.
 */
export function redactText(text: string, context: RedactContext = {}): string {
  const names = context.secretEnvNames ?? [];
  const learned: string[] = [];
  const maskPlain = (plain: string): string => {
    const pem = plain.replace(PEM_PRIVATE_KEY, (_m, kind: string) =>
      `-----BEGIN ${kind}PRIVATE KEY-----\n${MASK}\n-----END ${kind}PRIVATE KEY-----`,
    );
    const patterns = maskPatterns(pem);
    const named = maskNamedValues(patterns.text, names);
    // A loop, because spreading the values of a huge text into push() overflows the stack.
    for (const value of [patterns.learned, named.learned].flat()) learned.push(value);
    return maskMultilineValues(named.text);
  };
  let out = text.replace(TERMINAL_ESCAPE, '').replace(CONTROL_CHARS, '');
  out = maskPlain(out);
  out = maskPercentEncoded(out, maskPlain);
  out = maskBase64(out, maskPlain);
  out = maskMultilineValues(out);
  return maskLearnedValues(out, learned);
}

/**
 * Lists the environment variable names that a pod fills from Secrets through
 * `env[].valueFrom.secretKeyRef`, in containers, init containers and
 * ephemeral containers, sorted and without duplicates.
 *
 * Variables brought in whole through `envFrom[].secretRef` are not listed:
 * their names live in the Secret, which jobwatch never reads, so their values
 * are masked only when they match one of the generic patterns of `redactText`.
 */
export function secretEnvNames(pod: V1Pod | V1PodSpec): string[] {
  const spec: V1PodSpec | undefined = 'containers' in pod ? pod : pod.spec;
  if (spec === undefined) return [];
  const containers: V1Container[] = [
    ...(spec.initContainers ?? []),
    ...spec.containers,
    ...((spec.ephemeralContainers ?? []) as V1Container[]),
  ];
  const names = new Set<string>();
  for (const container of containers) {
    for (const env of container.env ?? []) {
      if (env.valueFrom?.secretKeyRef !== undefined) names.add(env.name);
    }
  }
  return [...names].sort();
}
