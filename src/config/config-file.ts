import { readFileSync } from 'node:fs';
import { ConfigError, type ConfigErrorCode } from './config-error.ts';

/**
 * Reads a configuration file named by an environment variable. A file that cannot be
 * read raises a ConfigError with `code` that names the variable, the path and the reason.
 */
export function readConfigFile(file: string, options: { setting: string; noun: string; code: ConfigErrorCode }): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    const problem = {
      setting: options.setting,
      message: `The ${options.noun} ${JSON.stringify(file)} cannot be read: ${reason}`,
      fix: `check the path in ${options.setting} and that jobwatch may read the file`,
    };
    throw new ConfigError(options.code, [problem], { file, cause: err });
  }
}
