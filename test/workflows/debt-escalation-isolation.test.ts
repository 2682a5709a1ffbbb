/**
 * One case that cannot be evaluated (its policy version is not published) does not stop the sweep: the
 * other cases of its batch are evaluated and their letters go out; the bad case's
 * trail says why; the sweep ends failed, naming it, so the failed-executions alarm fires.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsClients } from '../../functions/shared/aws.ts';
import { FREE_PORTS, startLocalStack, type LocalStack } from '../../infra/local/stack.ts';
import { runToStop, tempDataDir } from '../infra/local/helpers.ts';
import { cases, mailer, seedEscalation } from './escalation-fixtures.ts';

const EMPLOYERS = [
  { employerId: 'TS0001A', name: 'Công ty TNHH Một', email: 'ketoan@mot.example' },
  { employerId: 'TS0002A', name: 'Công ty TNHH Hai Lỗi', email: 'ketoan@hai.example' },
  { employerId: 'TS0003A', name: 'Công ty TNHH Ba', email: 'ketoan@ba.example' },
];
const data = tempDataDir();
let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack({ dataDir: data.dir, ports: FREE_PORTS, resume: false });
  await seedEscalation(EMPLOYERS);
  // As if the version the case was opened under had been withdrawn from the Policies table.
  await awsClients().dynamo.send(
    new UpdateCommand({
      TableName: 'Cases',
      Key: { employerId: 'TS0002A', slot: 'CURRENT' },
      UpdateExpression: 'SET policyVersion = :v',
      ExpressionAttributeValues: { ':v': 'v-withdrawn' },
    }),
  );
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  data.remove();
});

describe('a sweep with one case that fails on its own data', () => {
  it('evaluates every other case, records the failure in its trail, and ends failed naming it', async () => {
    // The failing case is the second of the batch, between two others.
    const execution = await runToStop('DebtEscalation', { asOf: '2026-10-02' });
    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe('CasesFailed');
    expect(execution.cause).toContain('1 case(s) could not be evaluated');
    expect(execution.cause).toContain('TS0002A#2026-09');
    expect(execution.cause).toMatch(/"CLIMBED":2/);

    for (const employerId of ['TS0001A', 'TS0003A'])
      expect((await cases().currentCase(employerId))?.stage).toBe('URGING_LETTER');
    const mail = mailer(stack);
    await mail.next('ketoan@mot.example', /^Nhắc nợ BHXH/);
    await mail.next('ketoan@ba.example', /^Nhắc nợ BHXH/);

    const failed = await cases().currentCase('TS0002A');
    expect(failed?.stage).toBe('NONE');
    const trail = await cases().trail(failed!.caseId);
    const entry = trail.find((line) => line.what === 'EVALUATION_FAILED');
    expect(entry?.why).toContain('UnknownPolicyVersionError');
    expect(entry?.why).toContain('v-withdrawn');
  }, 90_000);
});
