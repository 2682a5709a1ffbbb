/**
 * The emulators' own process (forked by emulators.ts): dynalite and aws-ses-v2-local parse, validate and
 * store every request, about 40% of a monthly run's CPU. In the handlers' process they shared one event
 * loop with the handlers; here they get the machine's other core.
 *
 * Protocol over the IPC channel: the parent sends { type: 'start', dbDir, dynamoPort, sesPort, host }, the
 * child answers { type: 'ready', dynamoPort, sesPort } or { type: 'error', message }; { type: 'stop' }
 * closes both servers (LevelDB flushed and unlocked) and exits. A parent that dies without stopping us
 * closes the channel: we then shut down too, so no orphan keeps the data folder's LevelDB lock.
 */
import { writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { Session } from 'node:inspector/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import dynalite from 'dynalite';
import sesModule from 'aws-ses-v2-local';
// No `exports` map: the store module is reachable, and it is the only way to bound the mailbox.
import { getStoreReadonly } from 'aws-ses-v2-local/dist/store.js';

export interface StartMessage {
  type: 'start';
  dbDir: string;
  host: string;
  dynamoPort: number;
  sesPort: number;
}
export type ChildMessage =
  | { type: 'ready'; dynamoPort: number; sesPort: number }
  | { type: 'error'; message: string }
  | { type: 'stopped' };

type StartSes = (config?: { host?: string; port?: number }) => Promise<Server>;
// CommonJS with `exports.default`: Node's ESM loader hands us the exports object, other loaders the function.
const startSes = ((sesModule as unknown as { default?: StartSes }).default ?? sesModule) as StartSes;

const servers: Server[] = [];

/**
 * aws-ses-v2-local keeps every mail parsed in memory (text, HTML, the PDF as base64): ~0.4 MB of heap per
 * notice, 4 GB for a 10,000-employer run. The mailbox page only needs recent mail: keep the newest
 * DONDOC_MAILBOX_LIMIT (default 1,000; 0 keeps all). The notices' delivery is recorded in DynamoDB anyway.
 */
const MAILBOX_LIMIT = Number(process.env.DONDOC_MAILBOX_LIMIT ?? 1000);
function trimMailbox(): void {
  const { emails } = getStoreReadonly();
  if (MAILBOX_LIMIT > 0 && emails.length > MAILBOX_LIMIT) emails.splice(0, emails.length - MAILBOX_LIMIT);
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolveListen, rejectListen) => {
    server.once('error', rejectListen);
    server.listen(port, host, () => {
      server.off('error', rejectListen);
      resolveListen((server.address() as AddressInfo).port);
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolveClose) => {
    // dynalite's close() also closes LevelDB; SDK keep-alive sockets must not hold it open.
    server.close(() => resolveClose());
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), 1000).unref();
  });
}

let stopping: Promise<void> | undefined;
function shutdown(): Promise<void> {
  return (stopping ??= (async () => {
    await Promise.allSettled(servers.map(close));
    if (process.connected) process.send?.({ type: 'stopped' } satisfies ChildMessage);
    process.exit(0);
  })());
}

async function start(message: StartMessage): Promise<ChildMessage> {
  const dynamo = dynalite({ path: message.dbDir, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const dynamoPort = await listen(dynamo, message.dynamoPort, message.host);
  servers.push(dynamo);
  const ses = await startSes({ host: message.host, port: message.sesPort });
  // aws-ses-v2-local resolves even when listen fails (express passes the error to its callback).
  if (!ses.listening) throw new Error(`aws-ses-v2-local could not listen on port ${message.sesPort}`);
  servers.push(ses);
  setInterval(trimMailbox, 250).unref();
  return { type: 'ready', dynamoPort, sesPort: (ses.address() as AddressInfo).port };
}

process.on('message', (message: StartMessage | { type: 'stop' }) => {
  if (message.type === 'stop') void shutdown();
  else
    start(message).then(
      (reply) => process.send?.(reply),
      (error: unknown) => {
        process.send?.({
          type: 'error',
          message: (error as Error)?.message ?? String(error),
        } satisfies ChildMessage);
        void shutdown();
      },
    );
});
process.on('disconnect', () => void shutdown());
// Ctrl+C reaches the whole process group: the parent stops its executions first and then stops us (or,
// if it dies, the channel closes). Exiting here at once would pull the data from under running handlers.
process.on('SIGINT', () => undefined);

// Benchmarks: SIGUSR2 starts a CPU profile, the next SIGUSR2 writes it to DONDOC_EMULATORS_CPU_PROF_DIR.
const profileDir = process.env.DONDOC_EMULATORS_CPU_PROF_DIR;
if (profileDir) {
  let session: Session | undefined;
  process.on('SIGUSR2', () => {
    void (async () => {
      if (!session) {
        session = new Session();
        session.connect();
        await session.post('Profiler.enable');
        await session.post('Profiler.setSamplingInterval', { interval: 1000 });
        await session.post('Profiler.start');
        return;
      }
      const { profile } = await session.post('Profiler.stop');
      writeFileSync(join(profileDir, `emulators-${process.pid}.cpuprofile`), JSON.stringify(profile));
      session.disconnect();
      session = undefined;
    })();
  });
}
