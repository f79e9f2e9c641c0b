/** What every `rackboot` subcommand shares: usage errors (exit 2), strict flag parsing, JSON output lines. */
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** Bad arguments: the CLI prints the message and exits 2. */
export class UsageError extends Error {}

export function port(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[1-9][0-9]{0,4}$/.test(value) || Number(value) > 65535) throw new UsageError(`${flag} must be a port number 1-65535, not ${value}`);
  return Number(value);
}

export function parse<const O extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: O) {
  return parseWith(argv, options, false);
}

/** As `parse`, with positional arguments allowed (`rackboot iso ls PATH DIR`). */
export function parsePositional<const O extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: O) {
  return parseWith(argv, options, true);
}

function parseWith<const O extends NonNullable<ParseArgsConfig['options']>, const P extends boolean>(argv: string[], options: O, allowPositionals: P) {
  try {
    return parseArgs({ args: argv, options, strict: true as const, allowPositionals });
  } catch (e) {
    // Node's messages are long and mention internals; keep the first sentence.
    throw new UsageError(String((e as Error).message).split('. ')[0]!.replace(/^Unknown option/, 'unknown flag'));
  }
}

export function write(line: object): void {
  process.stdout.write(JSON.stringify(line) + '\n');
}
