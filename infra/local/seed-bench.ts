/**
 * Measures seeding speed against dynalite: `node --import tsx infra/local/seed-bench.ts [employers]
 * [concurrency] [--disk] [--child]`. On disk is what `npm start` does (LevelDB under the data folder); in
 * memory isolates the writer from the disk. `--child` runs dynalite in its own process, so the writer and
 * the emulator no longer share one CPU: the difference is the cost of running them in one process.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { TABLES } from '../../functions/shared/tables.ts';
import { closeServer, ensureTables, LOCAL_CREDENTIALS, LOCAL_HOST, LOCAL_REGION } from './emulators.ts';
import { generateDemoProvince, writeDemoProvince } from './seed.ts';

const args = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
const employers = Number(args[0] ?? 10_000);
const concurrency = Number(args[1] ?? 8);
const onDisk = process.argv.includes('--disk');
const inChild = process.argv.includes('--child');

const dir = onDisk ? mkdtempSync(join(tmpdir(), 'dondoc-seed-bench-')) : undefined;
let endpoint: string;
let stopDynalite: () => Promise<void>;
if (inChild) {
  const port = 20_000 + (process.pid % 10_000);
  const cli = createRequire(import.meta.url).resolve('dynalite/cli.js');
  const child = spawn(
    process.execPath,
    [
      cli,
      '--host',
      LOCAL_HOST,
      '--port',
      String(port),
      '--createTableMs',
      '0',
      ...(dir ? ['--path', dir] : []),
    ],
    { stdio: 'inherit' },
  );
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  endpoint = `http://${LOCAL_HOST}:${port}`;
  stopDynalite = async () => {
    child.kill();
  };
} else {
  const server = dynalite({ createTableMs: 0, ...(dir ? { path: dir } : {}) });
  await new Promise<void>((resolve) => server.listen(0, LOCAL_HOST, resolve));
  endpoint = `http://${LOCAL_HOST}:${(server.address() as AddressInfo).port}`;
  stopDynalite = () => closeServer(server);
}
const raw = new DynamoDBClient({
  endpoint,
  region: LOCAL_REGION,
  credentials: LOCAL_CREDENTIALS,
});
try {
  await ensureTables(raw, [TABLES.Partitions, TABLES.Officers, TABLES.Employers, TABLES.Ledger], {});
  let started = performance.now();
  const data = generateDemoProvince({ employers });
  const generateMs = Math.round(performance.now() - started);
  started = performance.now();
  const report = await writeDemoProvince(DynamoDBDocumentClient.from(raw), data, { concurrency, env: {} });
  console.log(
    JSON.stringify({
      employers,
      concurrency,
      storage: onDisk ? 'disk' : 'memory',
      dynalite: inChild ? 'child process' : 'same process',
      generateMs,
      ...report,
      totalMs: Math.round(performance.now() - started) + generateMs,
    }),
  );
} finally {
  raw.destroy();
  await stopDynalite();
  if (dir) rmSync(dir, { recursive: true, force: true });
}
