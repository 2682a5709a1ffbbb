/**
 * The monthly run's first step on the embedded stack: employers that no listed partition reaches are
 * quarantined with the reason and counted, so the run summary names them instead of leaving them without a
 * notice and without a word.
 */
import type { Context } from 'aws-lambda';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler, UNREACHED_BATCH_KEY } from '../../../functions/c12/handlers/prepare-run.ts';
import { C12Repository } from '../../../functions/c12/repository.ts';
import { summarizeRunItems } from '../../../functions/c12/summary.ts';
import { awsClients } from '../../../functions/shared/aws.ts';
import { FREE_PORTS, startLocalStack, type LocalStack } from '../../../infra/local/stack.ts';
import { tempDataDir } from '../../infra/local/helpers.ts';

const EMPLOYER = { region: 'II', reducedAccidentRate: false, headName: 'Nguyễn Văn An' };
const data = tempDataDir();
let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack({ dataDir: data.dir, ports: FREE_PORTS, resume: false });
  const put = (TableName: string, Item: Record<string, unknown>) =>
    awsClients().dynamo.send(new PutCommand({ TableName, Item }));
  await put('Partitions', { partition: 'P-DALAT', name: 'Phường Xuân Hương - Đà Lạt', employerCount: 1 });
  await put('Employers', {
    ...EMPLOYER,
    employerId: 'TS0001A',
    name: 'Công ty Cà phê Cầu Đất',
    partition: 'P-DALAT',
  });
  // A commune typed differently at import, and an employer imported without one.
  await put('Employers', {
    ...EMPLOYER,
    employerId: 'TS0002A',
    name: 'HTX Rau Lạc Dương',
    partition: 'P-DA LAT',
  });
  await put('Employers', { ...EMPLOYER, employerId: 'TS0003A', name: 'Trường Mầm non Hoa Sen' });
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  data.remove();
});

const prepare = (executionId: string, period = '2026-10') =>
  handler({ input: { period }, executionId }, {} as Context) as Promise<{
    runId: string;
    partitions: string[];
  }>;

describe('preparing a monthly run', () => {
  it('quarantines the employers outside every listed partition, with the reason, and counts them in the run', async () => {
    const executionArn =
      'arn:aws:states:ap-southeast-1:000000000000:execution:dondoc-MonthlyC12Notices:unreached';
    const prepared = await prepare(executionArn);
    expect(prepared.partitions).toEqual(['P-DALAT']);

    const repository = new C12Repository(awsClients().dynamo);
    const items = await repository.runItems(prepared.runId);
    expect(items.find((item) => item.itemKey === 'RUN')).toMatchObject({ totalEmployers: 3 });
    expect(items.find((item) => item.itemKey === UNREACHED_BATCH_KEY)).toMatchObject({
      employers: 2,
      quarantined: 2,
    });
    const summary = summarizeRunItems(prepared.runId, '2026-10', items);
    expect(summary).toMatchObject({ employers: 2, quarantined: 2 });
    expect(summary.quarantinedEmployers).toEqual([
      {
        employerId: 'TS0002A',
        name: 'HTX Rau Lạc Dương',
        reason: 'partition: "P-DA LAT" is not listed in the Partitions table',
      },
      {
        employerId: 'TS0003A',
        name: 'Trường Mầm non Hoa Sen',
        reason: 'partition: missing (the employer belongs to no partition the run pages)',
      },
    ]);

    // The import is corrected; a resumed execution (after a crash) keeps what its first attempt counted,
    // and a new run reaches the employer.
    await awsClients().dynamo.send(
      new PutCommand({
        TableName: 'Employers',
        Item: { ...EMPLOYER, employerId: 'TS0002A', name: 'HTX Rau Lạc Dương', partition: 'P-DALAT' },
      }),
    );
    await prepare(executionArn);
    expect(await repository.runItems(prepared.runId)).toEqual(items);
    // (The next month's run: October's lease is held by the run above.)
    const next = await prepare(`${executionArn}-november`, '2026-11');
    const summaryOfNext = summarizeRunItems(next.runId, '2026-11', await repository.runItems(next.runId));
    expect(summaryOfNext.quarantinedEmployers.map((entry) => entry.employerId)).toEqual(['TS0003A']);
  });
});
