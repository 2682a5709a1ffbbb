import { readFile } from 'node:fs/promises';

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
