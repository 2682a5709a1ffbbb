/**
 * Error paths of one batch, against the real dynalite of the embedded stack, with a scripted sender standing
 * in for SES: a rejected address is recorded once and not retried; a failure in the middle of a batch,
 * retried as Step Functions would, sends nobody twice and reports the same counts.
 */
import { GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processBatch, type BatchDeps } from '../../../functions/c12/batch.ts';
import { C12Repository, RunInProgressError } from '../../../functions/c12/repository.ts';
import { awsClients } from '../../../functions/shared/aws.ts';
import type { OutgoingEmail, SendOutcome } from '../../../functions/shared/email.ts';
import { EmailConfigurationError, TransientError } from '../../../functions/shared/errors.ts';
import { generateDemoProvince, writeDemoProvince, type DemoProvince } from '../../../infra/local/seed.ts';
import { FREE_PORTS, startLocalStack, type LocalStack } from '../../../infra/local/stack.ts';
import { tempDataDir } from '../../infra/local/helpers.ts';

describe('processBatch error paths', () => {
  const data = tempDataDir();
  let stack: LocalStack;
  let province: DemoProvince;
  let partition: string;
  let deliverable: string[];

  beforeAll(async () => {
    stack = await startLocalStack({ dataDir: data.dir, ports: FREE_PORTS, resume: false });
    province = generateDemoProvince({ employers: 40, seed: 11, asOf: '2026-11-22' });
    await writeDemoProvince(awsClients().dynamo, province);
    // The partition with the most employers that have an email and clean data.
    const counts = new Map<string, string[]>();
    for (const employer of province.employers) {
      if (!employer.email || employer.behaviour === 'malformed') continue;
      counts.set(employer.partition, [...(counts.get(employer.partition) ?? []), employer.email]);
    }
    [partition, deliverable] = [...counts].sort((a, b) => b[1].length - a[1].length)[0]!;
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    data.remove();
  });

  /** The handlers' real notice is tested elsewhere: here only who gets it matters. */
  const stubMail = (to: string | undefined): OutgoingEmail => ({
    from: 'thongbao@bhxh-demo.vn',
    to: to ? [to] : [],
    subject: 'Thông báo',
    text: 'Thông báo',
    html: '<p>Thông báo</p>',
    attachments: [],
  });

  function deps(
    send: (mail: OutgoingEmail) => Promise<SendOutcome>,
    composeNotice: BatchDeps['composeNotice'] = async (employer) => stubMail(employer.email),
  ): BatchDeps {
    return {
      repository: new C12Repository(awsClients().dynamo),
      composeNotice,
      send,
      now: () => new Date().toISOString(),
      // As in production (process-batch.ts): failures must be safe with several sends in flight.
      concurrency: 8,
    };
  }

  it('records a rejected address once, does not retry it, and delivers the rest', async () => {
    const rejected = deliverable[0]!;
    const attempts = new Map<string, number>();
    const send = async (mail: OutgoingEmail): Promise<SendOutcome> => {
      attempts.set(mail.to[0]!, (attempts.get(mail.to[0]!) ?? 0) + 1);
      return mail.to[0]! === rejected
        ? { status: 'REJECTED', reason: 'MessageRejected: Address blacklisted.' }
        : { status: 'SENT', messageId: `id-${mail.to[0]!}` };
    };
    const input = { runId: 'RUN-REJECT', period: '2026-10', partition, batchSize: 1000, cursor: null };
    const first = await processBatch(deps(send), input);
    expect(first.done).toBe(true);
    expect(first.counts.rejected).toBe(1);
    expect(first.counts.sent).toBe(deliverable.length - 1);
    // The same batch again (a Step Functions retry): nothing is sent, the counts are the same.
    const again = await processBatch(deps(send), input);
    expect(again.counts).toEqual(first.counts);
    expect(attempts.get(rejected)).toBe(1);
    expect([...attempts.values()].every((count) => count === 1)).toBe(true);
    const employer = province.employers.find((candidate) => candidate.email === rejected)!;
    const { Item } = await awsClients().dynamo.send(
      new GetCommand({ TableName: 'Notices', Key: { employerId: employer.employerId, period: '2026-10' } }),
    );
    expect(Item).toMatchObject({ status: 'REJECTED', rejectReason: 'MessageRejected: Address blacklisted.' });
    const items = await new C12Repository(awsClients().dynamo).runItems('RUN-REJECT');
    expect(items.filter((item) => item.itemKey.startsWith('REJECTED#'))).toHaveLength(1);
  });

  /** A send that takes a little while, as SES does, so several are in flight at once. */
  const slowSend = async (sent: string[], mail: OutgoingEmail): Promise<SendOutcome> => {
    await new Promise((resolve) => setTimeout(resolve, 5));
    sent.push(mail.to[0]!);
    return { status: 'SENT', messageId: `id-${mail.to[0]!}` };
  };

  it('a batch that fails midway stops, settles, and is retried without sending anyone twice', async () => {
    const sent: string[] = [];
    let failAfter = Math.floor(deliverable.length / 2);
    const send = async (mail: OutgoingEmail): Promise<SendOutcome> => {
      if (failAfter-- === 0) throw new TransientError('SES send failed (ServiceUnavailable)');
      return slowSend(sent, mail);
    };
    const input = { runId: 'RUN-RETRY', period: '2026-09', partition, batchSize: 1000, cursor: null };
    await expect(processBatch(deps(send), input)).rejects.toBeInstanceOf(TransientError);
    // Every worker of the failed attempt has settled: nothing more is sent once the batch has failed.
    const sentAtFailure = sent.length;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(sent.length).toBe(sentAtFailure);
    expect(sentAtFailure).toBeLessThan(deliverable.length);

    const retried = await processBatch(deps(send), input);
    expect(new Set(sent).size).toBe(sent.length);
    expect([...sent].sort()).toEqual([...deliverable].sort());
    // The employer whose send failed was left SENDING, so its retry is reported as a possible duplicate.
    expect(retried.counts.possibleDuplicates).toBe(1);
    expect(retried.counts.sent).toBe(deliverable.length);
  });

  it('an SES account fault fails the batch and gives the claim back: the retry is no duplicate', async () => {
    const sent: string[] = [];
    let paused = true;
    const send = async (mail: OutgoingEmail): Promise<SendOutcome> => {
      if (paused)
        throw new EmailConfigurationError('SES cannot send: SendingPausedException: Sending paused');
      return slowSend(sent, mail);
    };
    const input = { runId: 'RUN-PAUSED', period: '2026-08', partition, batchSize: 1000, cursor: null };
    await expect(processBatch(deps(send), input)).rejects.toBeInstanceOf(EmailConfigurationError);
    const { Items = [] } = await awsClients().dynamo.send(
      new ScanCommand({
        TableName: 'Notices',
        FilterExpression: '#p = :p',
        ExpressionAttributeNames: { '#p': 'period' },
        ExpressionAttributeValues: { ':p': '2026-08' },
      }),
    );
    expect(Items.filter((item) => item.status === 'SENDING')).toEqual([]);
    expect(Items.filter((item) => item.status === 'REJECTED')).toEqual([]);
    paused = false;
    const retried = await processBatch(deps(send), input);
    expect(retried.counts.sent).toBe(deliverable.length);
    expect(retried.counts.possibleDuplicates).toBe(0);
  });

  it('resends a notice a dead run left SENDING, and reports it as a possible duplicate', async () => {
    const input = { runId: 'RUN-OLD', period: '2026-07', partition, batchSize: 1000, cursor: null };
    const sent: string[] = [];
    const repository = new C12Repository(awsClients().dynamo);
    await processBatch(
      deps((mail) => slowSend(sent, mail)),
      input,
    );
    // As if the old run had died while sending this one: claimed, never recorded.
    const employer = province.employers.find((candidate) => candidate.email === deliverable[2])!;
    const notice = (await repository.notice(employer.employerId, '2026-07'))!;
    await repository.putNotices([
      { ...notice, status: 'SENDING', claimedBy: 'RUN-OLD', deliveredBy: undefined },
    ]);

    const resent: string[] = [];
    const next = await processBatch(
      deps((mail) => slowSend(resent, mail)),
      { ...input, runId: 'RUN-NEW' },
    );
    expect(resent).toEqual([deliverable[2]]);
    expect(next.counts.possibleDuplicates).toBe(1);
    expect(next.counts.sent).toBe(1);
    expect(next.counts.alreadyDelivered).toBe(deliverable.length - 1);
    expect(await repository.notice(employer.employerId, '2026-07')).toMatchObject({
      status: 'SENT',
      sendAttempts: 2,
      deliveredBy: 'RUN-NEW',
    });
    const items = await repository.runItems('RUN-NEW');
    expect(items.filter((item) => item.itemKey.startsWith('DUPLICATE#'))).toMatchObject([
      { employerId: employer.employerId, attempt: 2 },
    ]);
  });

  it('quarantines an employer whose notice cannot be composed, and delivers the rest', async () => {
    const sent: string[] = [];
    const broken = deliverable[1]!;
    const composeNotice: BatchDeps['composeNotice'] = async (employer) => {
      if (employer.email === broken) throw new RangeError('glyph U+1F600 has no fallback font');
      return stubMail(employer.email);
    };
    const input = { runId: 'RUN-COMPOSE', period: '2026-06', partition, batchSize: 1000, cursor: null };
    const result = await processBatch(
      deps((mail) => slowSend(sent, mail), composeNotice),
      input,
    );
    expect(result.counts.quarantined).toBe(1);
    expect(result.counts.sent).toBe(deliverable.length - 1);
    expect(sent).not.toContain(broken);
    const items = await new C12Repository(awsClients().dynamo).runItems('RUN-COMPOSE');
    const quarantined = items.find((item) => item.itemKey.startsWith('QUARANTINE#'))!;
    expect(quarantined.reasons).toEqual(['notice: RangeError: glyph U+1F600 has no fallback font']);
  });
});

describe('the period lease (one monthly run of a period at a time)', () => {
  const data = tempDataDir();
  let stack: LocalStack;
  let repository: C12Repository;
  const running = new Set<string>();
  const isRunning = async (executionArn: string) => running.has(executionArn);
  const lease = (holder: string) => ({
    holder,
    executionArn: `arn:exec:${holder}`,
    acquiredAt: '2026-12-05T06:00:00Z',
  });
  const stored = async (leaseId: string) =>
    (
      await awsClients().dynamo.send(
        new GetCommand({
          TableName: 'Runs',
          Key: { runId: leaseId, itemKey: 'LEASE' },
          ConsistentRead: true,
        }),
      )
    ).Item;

  beforeAll(async () => {
    stack = await startLocalStack({ dataDir: data.dir, ports: FREE_PORTS, resume: false });
    repository = new C12Repository(awsClients().dynamo);
  }, 60_000);

  afterAll(async () => {
    await stack?.stop();
    data.remove();
  });

  it('refuses a second run while the holder runs, and changes nothing', async () => {
    running.add('arn:exec:A');
    await repository.acquireLease('LEASE#T1', lease('A'), isRunning);
    await expect(repository.acquireLease('LEASE#T1', lease('B'), isRunning)).rejects.toBeInstanceOf(
      RunInProgressError,
    );
    expect(await stored('LEASE#T1')).toMatchObject({ holder: 'A' });
    // The holder itself, resumed after a crash, takes it again.
    await repository.acquireLease('LEASE#T1', lease('A'), isRunning);
    expect(await stored('LEASE#T1')).toMatchObject({ holder: 'A' });
  });

  it('is taken over from an execution that ended without giving it back', async () => {
    running.delete('arn:exec:A');
    await repository.acquireLease('LEASE#T1', lease('B'), isRunning);
    expect(await stored('LEASE#T1')).toMatchObject({ holder: 'B', tookOverFrom: 'A' });
    // A late release by the old holder does not free the new holder's lease.
    await repository.releaseLease('LEASE#T1', 'A', '2026-12-05T07:00:00Z');
    running.add('arn:exec:B');
    await expect(repository.acquireLease('LEASE#T1', lease('C'), isRunning)).rejects.toBeInstanceOf(
      RunInProgressError,
    );
  });

  it('once released, is free for the next run without asking about the holder', async () => {
    await repository.releaseLease('LEASE#T1', 'B', '2026-12-05T07:00:00Z');
    const asked: string[] = [];
    await repository.acquireLease('LEASE#T1', lease('C'), async (arn) => (asked.push(arn), true));
    expect(asked).toEqual([]);
    expect(await stored('LEASE#T1')).toMatchObject({ holder: 'C' });
  });
});

describe('the debt case of an employer in arrears', () => {
  const data = tempDataDir();
  let stack: LocalStack;

  beforeAll(async () => {
    stack = await startLocalStack({ dataDir: data.dir, ports: FREE_PORTS, resume: false });
  }, 60_000);

  afterAll(async () => {
    await stack?.stop();
    data.remove();
  });

  it('is opened once, then only its amounts change, month after month', async () => {
    const repository = new C12Repository(awsClients().dynamo);
    const statement = (period: string, overduePrincipal: number) =>
      ({
        employerId: 'TS0042A',
        period,
        overduePrincipal,
        overdueInterest: 1_000,
        oldestOverdueDueDate: '2026-09-30',
        total: { carriedForward: { owed: overduePrincipal + 5, interestOwed: 1_000 } },
      }) as unknown as Parameters<C12Repository['openOrUpdateCase']>[0];
    expect(await repository.openOrUpdateCase(statement('2026-10', 500), { officerId: 'CB01' }, 'T1')).toBe(
      'opened',
    );
    // The same run again (a retried batch), then the next month with another officer on the employer.
    expect(await repository.openOrUpdateCase(statement('2026-10', 500), { officerId: 'CB01' }, 'T2')).toBe(
      'updated',
    );
    expect(await repository.openOrUpdateCase(statement('2026-11', 900), { officerId: 'CB02' }, 'T3')).toBe(
      'updated',
    );
    const { Item } = await awsClients().dynamo.send(
      new GetCommand({
        TableName: 'Cases',
        Key: { employerId: 'TS0042A', slot: 'OPEN' },
        ConsistentRead: true,
      }),
    );
    expect(Item).toMatchObject({
      caseId: 'TS0042A#2026-10',
      status: 'OPEN',
      stage: 'NONE',
      officerId: 'CB01',
      openedAt: 'T1',
      openedForPeriod: '2026-10',
      overduePrincipal: 900,
      owed: 905,
      lastStatementPeriod: '2026-11',
      updatedAt: 'T3',
    });
  });
});
