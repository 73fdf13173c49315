import { readFileSync } from 'node:fs';

/**
 * Reads jobwatch's version from its package.json. Throws when the file is missing, is not
 * JSON or has no `version` string, which happens only in an image built without it.
 */
export function packageVersion(): string {
  const file = new URL('../../package.json', import.meta.url);
  const { version } = JSON.parse(readFileSync(file, 'utf8')) as { version?: unknown };
  if (typeof version !== 'string') {
    throw new Error(`${file.pathname} has no "version" string; reinstall jobwatch`);
  }
  return version;
}
