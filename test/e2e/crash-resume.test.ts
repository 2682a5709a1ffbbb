/**
 * npm start as a user runs it, killed in the middle of the monthly run (SIGKILL: no clean-up) and started
 * again on the same data folder: the interrupted execution is re-run and finishes, no employer misses its
 * notice, and the only duplicates are the sends that were in flight at the kill, which the run reports.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { CHUNK_SIZE, CHUNKS_IN_FLIGHT } from '../../functions/c12/handlers/process-batch.ts';
import { maxMapConcurrency, WORKFLOWS } from '../../workflows/registry.ts';
import { afterAll, describe, expect, it } from 'vitest';
import { awsClients } from '../../functions/shared/aws.ts';
import { generateDemoProvince } from '../../infra/local/seed.ts';
import { FREE_PORTS, startLocalStack } from '../../infra/local/stack.ts';
import { tempDataDir } from '../infra/local/helpers.ts';

const EMPLOYERS = 150;
const ARGS = [
  '--import',
  'tsx',
  'infra/local/start.ts',
  '--free-ports',
  '--exit-when-done',
  '--as-of',
  '2026-11-22',
];

function startProcess(
  dataDir: string,
  env: Record<string, string> = {},
): { child: ChildProcess; output: () => string } {
  let output = '';
  const child = spawn(process.execPath, [...ARGS, '--data-dir', dataDir, '--employers', String(EMPLOYERS)], {
    env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'ERROR', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  return { child, output: () => output };
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });

describe('a crash during the monthly run', () => {
  const data = tempDataDir();
  afterAll(() => data.remove());

  it('is finished by the next start: every employer gets its notice, duplicates only for sends in flight', async () => {
    // Sends paced at 30 a second: on a fast machine the whole run could otherwise end between the progress
    // line that shows 10 sent and the kill, and nothing would be left to resume.
    const first = startProcess(data.dir, { SES_MAX_SEND_RATE: '30' });
    // Kill once some notices are out but the run is far from done.
    const deadline = Date.now() + 180_000;
    for (;;) {
      const sent = [...first.output().matchAll(/đã gửi (\d+)/g)].map((match) => Number(match[1])).at(-1) ?? 0;
      if (sent >= 10) break;
      if (first.child.exitCode !== null)
        throw new Error(`first run ended before the kill:\n${first.output()}`);
      if (Date.now() > deadline) throw new Error(`no progress:\n${first.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    first.child.kill('SIGKILL');
    await exited(first.child);
    expect(first.output()).not.toContain('Xong tháng');

    // The sends in flight at the kill: notices claimed (SENDING) and never confirmed. Read without resuming;
    // the interrupted execution stays in the journal for the next start.
    const inFlight = await (async () => {
      const look = await startLocalStack({ dataDir: data.dir, ports: FREE_PORTS, resume: false });
      try {
        const { Items = [] } = await awsClients().dynamo.send(
          new ScanCommand({
            TableName: 'Notices',
            FilterExpression: '#s = :s',
            ExpressionAttributeNames: { '#s': 'status' },
            ExpressionAttributeValues: { ':s': 'SENDING' },
          }),
        );
        return new Set(Items.map((item) => String(item.employerId)));
      } finally {
        await look.stop();
      }
    })();

    const second = startProcess(data.dir);
    const code = await exited(second.child);
    expect(code, second.output()).toBe(0);
    expect(second.output()).toContain('Tiếp tục lượt chạy bị gián đoạn');
    expect(second.output()).toMatch(/Xong tháng 2026-10: 150 đơn vị/);
    // The quarantined employers are listed with the ledger row and the field at fault.
    expect(second.output()).toMatch(/cách ly TS\d{4}A: (PAYROLL|PAYMENT|ADJUSTMENT)#[^:]+: [\w.[\]]+: /);
    // The demo data is seeded once: the second start found the folder seeded.
    expect(second.output()).not.toContain('Dữ liệu trống');

    const stack = await startLocalStack({ dataDir: data.dir, ports: FREE_PORTS, resume: false });
    try {
      const { Items: notices = [] } = await awsClients().dynamo.send(
        new ScanCommand({
          TableName: 'Notices',
          FilterExpression: '#p = :p',
          ExpressionAttributeNames: { '#p': 'period' },
          ExpressionAttributeValues: { ':p': '2026-10' },
        }),
      );
      const province = generateDemoProvince({ employers: EMPLOYERS, asOf: '2026-11-22' });
      const clean = province.employers.filter((employer) => employer.behaviour !== 'malformed');
      expect(notices.map((notice) => notice.employerId).sort()).toEqual(
        clean.map((e) => e.employerId).sort(),
      );
      for (const notice of notices) expect(['SENT', 'POSTAL']).toContain(notice.status);

      const resent = notices.filter((notice) => notice.sendAttempts > 1).map((notice) => notice.employerId);
      // In flight at most: the partitions at once x the notices a batch claims at once.
      const partitionsAtOnce = maxMapConcurrency(
        readFileSync(WORKFLOWS.MonthlyC12Notices.definitionFile, 'utf8'),
      );
      expect(resent.length).toBeLessThanOrEqual(partitionsAtOnce * CHUNK_SIZE * CHUNKS_IN_FLIGHT);
      // Exactly those: a notice claimed (SENDING) at the kill is sent again, as nobody can tell whether its
      // first send reached SES; every other notice goes once.
      expect(resent.sort()).toEqual([...inFlight].sort());
      // The summary the user reads reports them.
      expect(second.output()).toContain(` ${resent.length} có thể trùng.`);
      const { Items: runs = [] } = await awsClients().dynamo.send(
        new QueryCommand({
          TableName: 'Runs',
          KeyConditionExpression: 'runId = :r',
          ExpressionAttributeValues: { ':r': notices[0]!.runId },
        }),
      );
      const run = runs.find((item) => item.itemKey === 'RUN')!;
      expect(run.status).toBe('COMPLETED');
      expect(run.possibleDuplicates).toBe(resent.length);
      expect(
        runs
          .filter((item) => item.itemKey.startsWith('DUPLICATE#'))
          .map((item) => item.employerId)
          .sort(),
      ).toEqual(resent.sort());
    } finally {
      await stack.stop();
    }
  }, 400_000);
});
