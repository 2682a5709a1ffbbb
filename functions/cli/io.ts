import { readFile } from 'node:fs/promises';
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** What a CLI command may touch, so tests run commands in-process without spawning. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  readStdin(): Promise<string>;
}

/** Bad invocation or bad input: exit status 2 with the message. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  readStdin: async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  },
};

/** A file's text, or standard input for `-`; an unreadable file is a usage error. */
export async function readSource(source: string, io: CliIo): Promise<string> {
  if (source === '-') return io.readStdin();
  try {
    return await readFile(source, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${source}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

/** The embedded stack's endpoints, as `npm start` serves them (infra/local/stack.ts DEFAULT_PORTS). */
export function useLocalStack(): void {
  process.env.AWS_ENDPOINT_URL_DYNAMODB ??= 'http://127.0.0.1:8000';
  process.env.AWS_ENDPOINT_URL_SFN ??= 'http://127.0.0.1:8083';
  process.env.AWS_REGION ??= 'ap-southeast-1';
  process.env.AWS_ACCESS_KEY_ID ??= 'local';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
}

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * A sub-command's arguments: the options it knows, each allowed only with the verbs that take it; an
 * unknown or misplaced option is a usage error with the usage text. `--local` points at the embedded stack.
 */
export function parseVerb<O extends Options>(
  verb: string,
  args: string[],
  options: O,
  allowed: Record<string, (keyof O & string)[]>,
  usage: string,
) {
  let parsed;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n${usage}`);
  }
  const misplaced = Object.keys(parsed.values).find((name) => !allowed[verb]!.includes(name));
  if (misplaced) throw new UsageError(`--${misplaced} does not go with '${verb}'\n${usage}`);
  if ((parsed.values as Record<string, unknown>).local) useLocalStack();
  return parsed as {
    values: { [K in keyof O]?: O[K]['type'] extends 'boolean' ? boolean : string };
    positionals: string[];
  };
}
