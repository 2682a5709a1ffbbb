/**
 * The data and mail emulators of the embedded stack, on loopback: dynalite on disk (state survives a
 * restart) and aws-ses-v2-local (its page is the demo mailbox; mails live in memory, `GET /store`).
 * They run in a child process (emulators-child.ts) so they use a second core rather than the handlers'
 * event loop; DONDOC_EMULATORS_IN_PROCESS=1 keeps them in this process (benchmark comparisons).
 */
import { fork } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import dynalite from 'dynalite';
import sesModule from 'aws-ses-v2-local';
import type { ChildMessage, StartMessage } from './emulators-child.ts';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  UpdateTableCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import type { AttributeDefinition, KeySchemaElement } from '@aws-sdk/client-dynamodb';
import { TABLES, tableName } from '../../functions/shared/tables.ts';
import type { LogicalTableName, TableDef } from '../../functions/shared/tables.ts';

export const LOCAL_HOST = '127.0.0.1';

type StartSes = (config?: { host?: string; port?: number }) => Promise<Server>;
// aws-ses-v2-local is CommonJS with `exports.default`: Node's ESM loader hands us the exports object,
// other loaders the function itself.
const startSes = ((sesModule as unknown as { default?: StartSes }).default ?? sesModule) as StartSes;
export const LOCAL_REGION = 'ap-southeast-1';

/** Dummy credentials: the emulators accept any signature, the SDK just needs something to sign with. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

export interface EmulatorPorts {
  /** 0 picks a free port. */
  dynamodb?: number;
  /** 0 picks a free port; `npm start` uses 8005, the mailbox page. */
  ses?: number;
}

export interface Emulators {
  endpoints: { dynamodb: string; sesv2: string };
  /** The variables handlers need to reach these emulators (endpoints, region, dummy credentials). */
  env: Record<string, string>;
  /** Table names created (physical names). */
  tables: string[];
  stop(): Promise<void>;
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolveListen, rejectListen) => {
    server.once('error', rejectListen);
    server.listen(port, LOCAL_HOST, () => {
      server.off('error', rejectListen);
      resolveListen((server.address() as AddressInfo).port);
    });
  });
}

/** Close a server without waiting for SDK keep-alive sockets to time out. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolveClose, rejectClose) => {
    server.close((error) => (error ? rejectClose(error) : resolveClose()));
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), 1000).unref();
  });
}

export function localEnv(endpoints: {
  dynamodb: string;
  sesv2: string;
  sfn?: string;
}): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_SESV2: endpoints.sesv2,
    ...(endpoints.sfn ? { AWS_ENDPOINT_URL_SFN: endpoints.sfn } : {}),
    AWS_REGION: LOCAL_REGION,
    AWS_DEFAULT_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
  };
}

/** The data folder was written by a version of dondoc whose tables are keyed differently. */
export class IncompatibleDataError extends Error {
  override name = 'IncompatibleDataError';
}

/** Creates every table of TABLES (keys, GSIs) if missing, and adds GSIs a table lacks; idempotent. */
export async function ensureTables(
  client: DynamoDBClient,
  tables: readonly TableDef[] = Object.values(TABLES),
  env: NodeJS.ProcessEnv = process.env,
): Promise<string[]> {
  const names: string[] = [];
  for (const table of tables) {
    const name = tableName(table.logicalName as LogicalTableName, env);
    names.push(name);
    const keys = [table.partitionKey, ...(table.sortKey ? [table.sortKey] : [])];
    const keySchema = (pk: TableDef['partitionKey'], sk?: TableDef['sortKey']): KeySchemaElement[] => [
      { AttributeName: pk.name, KeyType: 'HASH' },
      ...(sk ? [{ AttributeName: sk.name, KeyType: 'RANGE' as const }] : []),
    ];
    const attributes = new Map<string, AttributeDefinition>();
    for (const key of [
      ...keys,
      ...table.indexes.flatMap((i) => [i.partitionKey, ...(i.sortKey ? [i.sortKey] : [])]),
    ]) {
      attributes.set(key.name, { AttributeName: key.name, AttributeType: key.type });
    }
    try {
      await client.send(
        new CreateTableCommand({
          TableName: name,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [...attributes.values()],
          KeySchema: keySchema(table.partitionKey, table.sortKey),
          ...(table.indexes.length > 0
            ? {
                GlobalSecondaryIndexes: table.indexes.map((index) => ({
                  IndexName: index.indexName,
                  KeySchema: keySchema(index.partitionKey, index.sortKey),
                  Projection: { ProjectionType: 'ALL' },
                })),
              }
            : {}),
        }),
      );
    } catch (error) {
      if (!(error instanceof ResourceInUseException)) throw error;
      // The table survives from an earlier run; the contract may have gained an index since. Keys cannot
      // change in place: a folder written by a version with other keys is refused with what to do.
      const described = await client.send(new DescribeTableCommand({ TableName: name }));
      const keysOf = (schema: readonly KeySchemaElement[] = []) =>
        schema.map((key) => key.AttributeName).join(', ');
      const expectedKeys = keysOf(keySchema(table.partitionKey, table.sortKey));
      const foundKeys = keysOf(described.Table?.KeySchema);
      if (foundKeys !== expectedKeys) {
        throw new IncompatibleDataError(
          `Table ${name} in the data folder is keyed (${foundKeys}); this version of dondoc keys it ` +
            `(${expectedKeys}). The folder was written by an older version: delete it (it holds the demo ` +
            'data only) and start again.',
        );
      }
      const present = new Set((described.Table?.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName));
      for (const index of table.indexes.filter((i) => !present.has(i.indexName))) {
        await client.send(
          new UpdateTableCommand({
            TableName: name,
            AttributeDefinitions: [...attributes.values()],
            GlobalSecondaryIndexUpdates: [
              {
                Create: {
                  IndexName: index.indexName,
                  KeySchema: keySchema(index.partitionKey, index.sortKey),
                  Projection: { ProjectionType: 'ALL' },
                },
              },
            ],
          }),
        );
      }
    }
    await waitUntilTableExists({ client, maxWaitTime: 30, minDelay: 1 }, { TableName: name });
  }
  return names;
}

export interface EmulatorOptions {
  /** dynalite keeps its LevelDB under `<dataDir>/dynamodb`; one process per folder (LevelDB locks it). */
  dataDir: string;
  ports?: EmulatorPorts;
  /** Tables to create; defaults to every table of TABLES. */
  tables?: readonly TableDef[];
}

interface Running {
  dynamoPort: number;
  sesPort: number;
  stop(): Promise<void>;
}

const CHILD_ENTRY = fileURLToPath(new URL('./emulators-child.ts', import.meta.url));
// The child loads TypeScript through tsx whatever started the parent (npm start, vitest's forks, a bench).
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

function startInChild(dbDir: string, ports: EmulatorPorts): Promise<Running> {
  const child = fork(CHILD_ENTRY, [], {
    // A bounded old space makes V8 collect mailparser's garbage instead of growing towards its default
    // limit (4 GB here): the mailbox is capped (emulators-child.ts), so live data stays far below this.
    execArgv: [
      '--import',
      TSX_LOADER,
      `--max-old-space-size=${process.env.DONDOC_EMULATORS_MAX_OLD_SPACE_MB ?? 768}`,
    ],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolveExit) => {
    if (child.exitCode !== null || child.signalCode !== null) resolveExit();
    else child.once('exit', () => resolveExit());
  });
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      if (child.connected) child.send({ type: 'stop' });
      // A wedged child must not hold the LevelDB lock of the data folder after stop().
      const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(kill);
    })());
  return new Promise<Running>((resolveStart, rejectStart) => {
    const onExit = (code: number | null, signal: string | null) =>
      rejectStart(new Error(`the emulators' process exited while starting (${signal ?? `code ${code}`})`));
    child.once('exit', onExit);
    child.once('error', rejectStart);
    child.on('message', (message: ChildMessage) => {
      if (message.type === 'ready') {
        child.off('exit', onExit);
        resolveStart({ dynamoPort: message.dynamoPort, sesPort: message.sesPort, stop });
      } else if (message.type === 'error') {
        child.off('exit', onExit);
        void stop().then(() => rejectStart(new Error(message.message)));
      }
    });
    child.send({
      type: 'start',
      dbDir,
      host: LOCAL_HOST,
      dynamoPort: ports.dynamodb ?? 8000,
      sesPort: ports.ses ?? 8005,
    } satisfies StartMessage);
  });
}

async function startInProcess(dbDir: string, ports: EmulatorPorts): Promise<Running> {
  // createTableMs 0: tables are ACTIVE at once (the default 500 ms only slows start-up).
  const dynamo = dynalite({ path: dbDir, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const dynamoPort = await listen(dynamo, ports.dynamodb ?? 8000);
  let ses: Server | undefined;
  const stop = async (): Promise<void> => {
    await Promise.allSettled([closeServer(dynamo), ...(ses ? [closeServer(ses)] : [])]);
  };
  try {
    const sesPort = ports.ses ?? 8005;
    const started = await startSes({ host: LOCAL_HOST, port: sesPort });
    // aws-ses-v2-local resolves even when listen fails (express passes the error to its callback).
    if (!started.listening) throw new Error(`aws-ses-v2-local could not listen on port ${sesPort}`);
    ses = started;
    return { dynamoPort, sesPort: (started.address() as AddressInfo).port, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

export async function startEmulators(options: EmulatorOptions): Promise<Emulators> {
  const dbDir = join(options.dataDir, 'dynamodb');
  mkdirSync(dbDir, { recursive: true });
  const ports = options.ports ?? {};
  const running =
    process.env.DONDOC_EMULATORS_IN_PROCESS === '1'
      ? await startInProcess(dbDir, ports)
      : await startInChild(dbDir, ports);
  try {
    const endpoints = {
      dynamodb: `http://${LOCAL_HOST}:${running.dynamoPort}`,
      sesv2: `http://${LOCAL_HOST}:${running.sesPort}`,
    };
    const env = localEnv(endpoints);
    const client = new DynamoDBClient({
      endpoint: endpoints.dynamodb,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    });
    try {
      const tables = await ensureTables(client, options.tables);
      return { endpoints, env, tables, stop: running.stop };
    } finally {
      client.destroy();
    }
  } catch (error) {
    await running.stop();
    throw error;
  }
}
