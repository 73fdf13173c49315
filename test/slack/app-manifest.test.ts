import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebClient } from '@slack/web-api';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { DEFAULT_COMMAND } from '../../src/config/policy.ts';
import { SLACK_EVENTS_PATH } from '../../src/slack/bolt-app.ts';
import { SUBCOMMANDS } from '../../src/slack/job-command-help.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MANIFEST_FILES = {
  socket: 'slack/app-manifest.yaml',
  http: 'slack/app-manifest-http.yaml',
} as const;

const httpsUrl = z.url({ protocol: /^https$/ });

/** The manifest fields jobwatch uses, with the limits of Slack's app manifest reference. */
const slashCommandSchema = z
  .object({
    command: z.string().regex(/^\/[a-z0-9_-]{1,31}$/),
    description: z.string().min(1).max(2000),
    usage_hint: z.string().max(1000),
    url: httpsUrl.optional(),
    should_escape: z.boolean(),
  })
  .strict();

const manifestSchema = z
  .object({
    _metadata: z.object({ major_version: z.literal(1), minor_version: z.number().int() }).strict(),
    display_information: z
      .object({
        name: z.string().min(1).max(35),
        description: z.string().min(1).max(140),
        background_color: z.string().regex(/^#[0-9a-fA-F]{6}$/),
      })
      .strict(),
    features: z
      .object({
        bot_user: z
          .object({
            display_name: z.string().max(80).regex(/^[a-z0-9._-]+$/),
            always_online: z.boolean(),
          })
          .strict(),
        slash_commands: z.array(slashCommandSchema).min(1).max(50),
      })
      .strict(),
    oauth_config: z
      .object({ scopes: z.object({ bot: z.array(z.string()).max(255) }).strict() })
      .strict(),
    settings: z
      .object({
        interactivity: z
          .object({ is_enabled: z.boolean(), request_url: httpsUrl.optional() })
          .strict(),
        event_subscriptions: z
          .object({ request_url: httpsUrl.optional(), bot_events: z.array(z.string()).max(100) })
          .strict()
          .optional(),
        org_deploy_enabled: z.boolean(),
        socket_mode_enabled: z.boolean(),
        token_rotation_enabled: z.boolean(),
      })
      .strict(),
  })
  .strict();

type AppManifest = z.infer<typeof manifestSchema>;

/** Client helpers that call Web API methods under another name: `filesUploadV2` uploads files. */
const HELPER_METHODS = new Map([['filesUploadV2', 'files.uploadV2']]);

function readYaml(path: string): unknown {
  return parse(readFileSync(join(ROOT, path), 'utf8'));
}

function readManifest(path: string): AppManifest {
  return manifestSchema.parse(readYaml(path));
}

function readMethodScopes(): Record<string, string[]> {
  return z.record(z.string(), z.array(z.string())).parse(readYaml('slack/method-scopes.yaml'));
}

/** Lists every Web API method name, such as `chat.postMessage`, from a WebClient's own methods. */
function webApiMethods(): Set<string> {
  const names = new Set<string>();
  const walk = (node: Record<string, unknown>, prefix: string): void => {
    for (const [key, value] of Object.entries(node)) {
      if (typeof value === 'function' && prefix !== '') names.add(`${prefix}.${key}`);
      if (typeof value === 'object' && value !== null && /^[a-z]/.test(key)) {
        walk(value as Record<string, unknown>, prefix === '' ? key : `${prefix}.${key}`);
      }
    }
  };
  walk(new WebClient() as unknown as Record<string, unknown>, '');
  return names;
}

/**
 * Finds the Web API methods that source text calls. A call is a dotted chain followed by `(`
 * whose tail after the receiver names a known method: `args.client.chat.postMessage(` counts,
 * while `views.push(` on an array named `views` has no receiver and does not.
 */
function calledMethods(source: string, known: Set<string>): Set<string> {
  const found = new Set<string>();
  for (const match of source.matchAll(/[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+(?=\s*\()/g)) {
    const segments = match[0].split('.');
    const helper = HELPER_METHODS.get(segments.at(-1) ?? '');
    if (helper !== undefined) found.add(helper);
    for (let start = 1; start < segments.length - 1; start += 1) {
      const name = segments.slice(start).join('.');
      if (known.has(name)) {
        found.add(name);
        break;
      }
    }
  }
  return found;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

function methodsCalledBySrc(): Map<string, string> {
  const known = webApiMethods();
  const calls = new Map<string, string>();
  for (const file of sourceFiles(join(ROOT, 'src'))) {
    for (const method of calledMethods(readFileSync(file, 'utf8'), known)) {
      calls.set(method, file.slice(ROOT.length));
    }
  }
  return calls;
}

function expectedBotScopes(): string[] {
  const table = readMethodScopes();
  const scopes = [...methodsCalledBySrc().keys()].flatMap((method) => table[method] ?? []);
  // The slash command needs `commands`, whatever the methods.
  return [...new Set([...scopes, 'commands'])].sort();
}

describe('method finder', () => {
  const known = webApiMethods();

  it('finds calls through any receiver', () => {
    const source = 'await args.client.chat.postMessage({});\nweb.conversations.info({ channel });';
    expect([...calledMethods(source, known)].sort()).toEqual([
      'chat.postMessage',
      'conversations.info',
    ]);
  });

  it('ignores array methods named like Slack', () => {
    expect(calledMethods('views.push(view); files.join(", ");', known)).toEqual(new Set());
  });

  it('maps the upload helper', () => {
    expect(calledMethods('await client.filesUploadV2({ channel_id })', known)).toEqual(
      new Set(['files.uploadV2']),
    );
  });
});

describe('method scope table', () => {
  it('names only real Web API methods', () => {
    const known = webApiMethods();
    const unknown = Object.keys(readMethodScopes()).filter((method) => !known.has(method));
    expect(unknown).toEqual([]);
  });

  it('covers every method src calls', () => {
    const table = readMethodScopes();
    const missing = [...methodsCalledBySrc()]
      .filter(([method]) => table[method] === undefined)
      .map(([method, file]) => `${method} (called in ${file}): add it to slack/method-scopes.yaml`);
    expect(missing).toEqual([]);
  });
});

describe.each(Object.entries(MANIFEST_FILES))('%s manifest', (mode, path) => {
  it('parses within Slack limits', () => {
    expect(() => readManifest(path)).not.toThrow();
  });

  it('requests the scopes of called methods', () => {
    const scopes = [...readManifest(path).oauth_config.scopes.bot].sort();
    expect(scopes).toEqual(expectedBotScopes());
  });

  it('declares the default slash command', () => {
    const commands = readManifest(path).features.slash_commands;
    expect(commands.map((command) => command.command)).toEqual([DEFAULT_COMMAND]);
    for (const subcommand of SUBCOMMANDS) {
      expect(commands[0]?.usage_hint).toContain(subcommand);
    }
  });

  it('turns interactivity on', () => {
    expect(readManifest(path).settings.interactivity.is_enabled).toBe(true);
  });

  it('matches its delivery mode', () => {
    const manifest = readManifest(path);
    const urls = [
      ...manifest.features.slash_commands.map((command) => command.url),
      manifest.settings.interactivity.request_url,
    ];
    expect(manifest.settings.socket_mode_enabled).toBe(mode === 'socket');
    for (const url of urls) {
      if (mode === 'socket') expect(url).toBeUndefined();
      else expect(new URL(url ?? '').pathname).toBe(SLACK_EVENTS_PATH);
    }
  });
});

describe('manifest pair', () => {
  it('differs only in delivery settings', () => {
    const withoutDelivery = (manifest: AppManifest): unknown => ({
      ...manifest,
      features: {
        ...manifest.features,
        slash_commands: manifest.features.slash_commands.map(({ url: _url, ...rest }) => rest),
      },
      settings: {
        ...manifest.settings,
        interactivity: { is_enabled: manifest.settings.interactivity.is_enabled },
        socket_mode_enabled: undefined,
      },
    });
    expect(withoutDelivery(readManifest(MANIFEST_FILES.http))).toEqual(
      withoutDelivery(readManifest(MANIFEST_FILES.socket)),
    );
  });

  it('subscribes to no events because src listens to none', () => {
    const source = sourceFiles(join(ROOT, 'src'))
      .map((file) => readFileSync(file, 'utf8'))
      .join('\n');
    expect(source).not.toMatch(/\bapp\.(event|message)\(/);
    for (const path of Object.values(MANIFEST_FILES)) {
      expect(readManifest(path).settings.event_subscriptions).toBeUndefined();
    }
  });
});
