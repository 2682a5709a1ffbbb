/**
 * Error paths of one batch, against the real dynalite of the embedded stack, with a scripted sender standing
 * in for SES: a rejected address is recorded once and not retried; a failure in the middle of a batch,
 * retried as Step Functions would, sends nobody twice and reports the same counts.
 */
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { BatchGetCommand, GetCommand, PutCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { storedLedgerRows } from '../../../functions/c12/ledger.ts';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { processBatch, type BatchDeps } from '../../../functions/c12/batch.ts';
import { CHUNK_SIZE, CHUNKS_IN_FLIGHT } from '../../../functions/c12/handlers/process-batch.ts';
import {
  C12Repository,
  fromStoredNotice,
  LEASE_GRACE_MS,
  LeaseLostError,
  RunInProgressError,
} from '../../../functions/c12/repository.ts';
import { awsClients } from '../../../functions/shared/aws.ts';
import type { OutgoingEmail, SendOutcome } from '../../../functions/shared/email.ts';
import { EmailConfigurationError, TransientError } from '../../../functions/shared/errors.ts';
import { generateDemoProvince, writeDemoProvince, type DemoProvince } from '../../../infra/local/seed.ts';
import { FREE_PORTS, startLocalStack, type LocalStack } from '../../../infra/local/stack.ts';
import { tempDataDir } from '../../infra/local/helpers.ts';

// One embedded stack for the file: each block below uses its own keys (periods, leases, employers).
const data = tempDataDir();
let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack({ dataDir: data.dir, ports: FREE_PORTS, resume: false });
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  data.remove();
});

describe('processBatch error paths', () => {
  let province: DemoProvince;
  let partition: string;
  let deliverable: string[];
  let postal: DemoProvince['employers'];

  beforeAll(async () => {
    // Big enough that the busiest partition has several chunks of production size (CHUNK_SIZE), postal
    // employers too.
    province = generateDemoProvince({ employers: 120, seed: 11, asOf: '2026-11-22' });
    await writeDemoProvince(awsClients().dynamo, province);
    // The partition with the most employers that have an email and clean data.
    const counts = new Map<string, string[]>();
    for (const employer of province.employers) {
      if (!employer.email || employer.behaviour === 'malformed') continue;
      counts.set(employer.partition, [...(counts.get(employer.partition) ?? []), employer.email]);
    }
    [partition, deliverable] = [...counts].sort((a, b) => b[1].length - a[1].length)[0]!;
    postal = province.employers.filter(
      (e) => e.partition === partition && !e.email && e.behaviour !== 'malformed',
    );
    expect(deliverable.length).toBeGreaterThan(CHUNK_SIZE * CHUNKS_IN_FLIGHT); // more chunks than run at once
  }, 120_000);

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
      renewLease: async () => undefined,
      // As in production (process-batch.ts): failures must be safe with several sends in flight.
      concurrency: 8,
      chunkSize: CHUNK_SIZE,
      chunksInFlight: CHUNKS_IN_FLIGHT,
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

  const noticesOf = async (period: string) => {
    const { Items = [] } = await awsClients().dynamo.send(
      new ScanCommand({
        TableName: 'Notices',
        FilterExpression: '#p = :p',
        ExpressionAttributeNames: { '#p': 'period' },
        ExpressionAttributeValues: { ':p': period },
        ConsistentRead: true,
      }),
    );
    return Items.map(fromStoredNotice);
  };

  it('delivers every notice of a page, by mail or by post, in chunks, and lists the postal ones', async () => {
    const sent: string[] = [];
    const input = { runId: 'RUN-ALL', period: '2026-05', partition, batchSize: 1000, cursor: null };
    const result = await processBatch(
      deps((mail) => slowSend(sent, mail)),
      input,
    );
    expect([...sent].sort()).toEqual([...deliverable].sort());
    expect(result.counts).toMatchObject({
      sent: deliverable.length,
      postal: postal.length,
      possibleDuplicates: 0,
    });
    const stored = await noticesOf('2026-05');
    expect(stored.map((notice) => notice.status).sort()).toEqual(
      [...Array(deliverable.length).fill('SENT'), ...Array(postal.length).fill('POSTAL')].sort(),
    );
    expect(stored.every((notice) => notice.deliveredBy === 'RUN-ALL' && notice.sendAttempts <= 1)).toBe(true);
    const items = await new C12Repository(awsClients().dynamo).runItems('RUN-ALL');
    expect(
      items
        .filter((item) => item.itemKey.startsWith('POSTAL#'))
        .map((item) => item.employerId)
        .sort(),
    ).toEqual(postal.map((employer) => employer.employerId).sort());
  });

  it("reads its arrears employers' cases in one request, then writes each case once, briefly", async () => {
    const send = vi.spyOn(awsClients().dynamo, 'send');
    let result;
    let commands: { input: Record<string, unknown> }[];
    try {
      const input = { runId: 'RUN-CASES', period: '2026-10', partition, batchSize: 1000, cursor: null };
      result = await processBatch(
        deps(async (mail) => ({ status: 'SENT', messageId: `id-${mail.to[0]!}` })),
        input,
      );
      commands = send.mock.calls.map(([command]) => command as { input: Record<string, unknown> });
    } finally {
      send.mockRestore();
    }
    const ofCases = commands.filter(
      ({ input }) =>
        input.TableName === 'Cases' ||
        Object.keys((input.RequestItems as object | undefined) ?? {}).includes('Cases'),
    );
    expect(result.counts.inArrears).toBeGreaterThan(0);
    expect(ofCases).toHaveLength(1 + result.counts.inArrears);
    expect(ofCases[0]).toBeInstanceOf(BatchGetCommand);
    for (const command of ofCases.slice(1)) {
      expect(command instanceof PutCommand || command instanceof UpdateCommand).toBe(true);
      expect(String(command.input.UpdateExpression ?? '')).not.toContain('if_not_exists');
    }
  });

  it('stops before claiming anything when the lease was taken over', async () => {
    const sent: string[] = [];
    const lost = deps((mail) => slowSend(sent, mail));
    lost.renewLease = async () => {
      throw new LeaseLostError('LEASE#C12#2026-04 is no longer held by RUN-OLD');
    };
    const input = { runId: 'RUN-OLD', period: '2026-04', partition, batchSize: 1000, cursor: null };
    await expect(processBatch(lost, input)).rejects.toBeInstanceOf(LeaseLostError);
    expect(sent).toEqual([]);
    expect(await noticesOf('2026-04')).toEqual([]);
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
    // Every worker of the failed attempt has settled: nothing more is sent once the batch has failed, and
    // the other chunks stopped too (far fewer sent than there are employers).
    const sentAtFailure = sent.length;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(sent.length).toBe(sentAtFailure);
    // At most the sends already in flight went out; the chunks after them never started.
    expect(sentAtFailure).toBeLessThanOrEqual(CHUNK_SIZE * CHUNKS_IN_FLIGHT - 1);
    expect(sentAtFailure).toBeLessThan(deliverable.length - 1);
    // Only the notice whose send failed is left claimed; every other claim was given back or recorded.
    const stored = await noticesOf('2026-09');
    expect(stored.filter((notice) => notice.status === 'SENDING')).toHaveLength(1);
    expect(stored.filter((notice) => notice.status === 'SENT')).toHaveLength(sentAtFailure);
    expect(stored.filter((notice) => notice.status === 'POSTAL')).toHaveLength(postal.length);
    expect(
      stored.filter((notice) => notice.status === 'PENDING').every((notice) => notice.sendAttempts === 0),
    ).toBe(true);

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
  let repository: C12Repository;
  const running = new Set<string>();
  const isRunning = async (executionArn: string) => running.has(executionArn);
  const lease = (holder: string) => ({ holder, executionArn: `arn:exec:${holder}` });
  const at = (minutes: number) =>
    new Date(Date.parse('2026-12-05T06:00:00Z') + minutes * 60_000).toISOString();
  const GRACE_MINUTES = LEASE_GRACE_MS / 60_000;
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

  beforeAll(() => {
    repository = new C12Repository(awsClients().dynamo);
  });

  it('refuses a second run while the holder runs, and changes nothing; the holder itself takes it again', async () => {
    running.add('arn:exec:A');
    await repository.acquireLease('LEASE#T1', lease('A'), at(0), isRunning);
    await expect(repository.acquireLease('LEASE#T1', lease('B'), at(60), isRunning)).rejects.toThrow(
      /still running/,
    );
    expect(await stored('LEASE#T1')).toMatchObject({ holder: 'A' });
    await repository.acquireLease('LEASE#T1', lease('A'), at(61), isRunning); // resumed after a crash
    expect(await stored('LEASE#T1')).toMatchObject({ holder: 'A', heartbeatAt: at(61) });
  });

  it("waits out the grace after the holder's last heartbeat once it has ended, then takes it over", async () => {
    await repository.renewLease('LEASE#T1', 'A', at(70));
    running.delete('arn:exec:A'); // aborted, timed out: its Lambdas may still be running
    const early = repository.acquireLease('LEASE#T1', lease('B'), at(70 + GRACE_MINUTES - 1), isRunning);
    await expect(early).rejects.toBeInstanceOf(RunInProgressError);
    await expect(early).rejects.toThrow(`start again after ${at(70 + GRACE_MINUTES)}`);
    await repository.acquireLease('LEASE#T1', lease('B'), at(70 + GRACE_MINUTES), isRunning);
    expect(await stored('LEASE#T1')).toMatchObject({ holder: 'B', tookOverFrom: 'A' });
  });

  it("stops the old run's batches: renewal fails, and its late release frees nothing", async () => {
    await expect(repository.renewLease('LEASE#T1', 'A', at(100))).rejects.toBeInstanceOf(LeaseLostError);
    await repository.releaseLease('LEASE#T1', 'A', at(100), 'CLEAN');
    running.add('arn:exec:B');
    await expect(repository.acquireLease('LEASE#T1', lease('C'), at(200), isRunning)).rejects.toBeInstanceOf(
      RunInProgressError,
    );
  });

  it('after a failed run, waits out the grace even though the execution is over', async () => {
    await repository.renewLease('LEASE#T1', 'B', at(210));
    await repository.releaseLease('LEASE#T1', 'B', at(211), 'AFTER_FAILURE');
    const asked: string[] = [];
    const ask = async (arn: string) => {
      asked.push(arn);
      return true;
    };
    await expect(repository.acquireLease('LEASE#T1', lease('C'), at(215), ask)).rejects.toThrow(
      /may still be running/,
    );
    expect(asked).toEqual([]); // released after a failure: ended, whatever the execution says
    await repository.acquireLease('LEASE#T1', lease('C'), at(210 + GRACE_MINUTES), ask);
    expect(await stored('LEASE#T1')).toMatchObject({ holder: 'C', tookOverFrom: 'B' });
  });

  it('once released clean, is free for the next run at once, without asking about the holder', async () => {
    await repository.releaseLease('LEASE#T1', 'C', at(300), 'CLEAN');
    const asked: string[] = [];
    await repository.acquireLease('LEASE#T1', lease('D'), at(301), async (arn) => {
      asked.push(arn);
      return true;
    });
    expect(asked).toEqual([]);
    expect(await stored('LEASE#T1')).toMatchObject({ holder: 'D' });
  });
});

describe('the debt case of an employer in arrears', () => {
  let repository: C12Repository;
  const statement = (employerId: string, period: string, overduePrincipal: number) =>
    ({
      employerId,
      period,
      overduePrincipal,
      overdueInterest: 1_000,
      oldestOverdueDueDate: '2026-09-30',
      total: { carriedForward: { owed: overduePrincipal + 5, interestOwed: 1_000 } },
    }) as unknown as Parameters<C12Repository['openOrUpdateCase']>[0];
  const slot = async (employerId: string, name = 'CURRENT') =>
    (
      await awsClients().dynamo.send(
        new GetCommand({ TableName: 'Cases', Key: { employerId, slot: name }, ConsistentRead: true }),
      )
    ).Item;
  /** As the escalation closes a case (payment in full). */
  const close = (employerId: string, closedAt: string) =>
    awsClients().dynamo.send(
      new UpdateCommand({
        TableName: 'Cases',
        Key: { employerId, slot: 'CURRENT' },
        UpdateExpression: 'SET #s = :closed, closedAt = :at',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':closed': 'CLOSED', ':at': closedAt },
      }),
    );

  beforeAll(() => {
    repository = new C12Repository(awsClients().dynamo);
  });

  it('is opened once, then only its amounts change, month after month; an older statement changes nothing', async () => {
    const open = (period: string, amount: number, officerId?: string) =>
      repository.openOrUpdateCase(
        statement('TS0042A', period, amount),
        { officerId },
        `${period}-28T00:00:00.${String(amount).padStart(3, '0')}Z`,
      );
    expect(await open('2026-10', 500, 'CB01')).toBe('opened');
    expect(await open('2026-10', 500, 'CB01')).toBe('updated'); // a retried batch
    expect(await open('2026-11', 900, 'CB02')).toBe('updated'); // next month, another officer on record
    expect(await open('2026-10', 500)).toBe('unchanged'); // a re-run of October
    expect(await slot('TS0042A')).toMatchObject({
      caseId: 'TS0042A#2026-10',
      status: 'OPEN',
      stage: 'NONE',
      officerId: 'CB01',
      openedAt: '2026-10-28T00:00:00.500Z',
      openedForPeriod: '2026-10',
      overduePrincipal: 900,
      owed: 905,
      lastStatementPeriod: '2026-11',
      updatedAt: '2026-11-28T00:00:00.900Z',
    });
  });

  it('opens without an officer on record', async () => {
    expect(
      await repository.openOrUpdateCase(statement('TS0043A', '2026-10', 1), {}, '2026-11-05T00:00:00.000Z'),
    ).toBe('opened');
    expect(await slot('TS0043A')).not.toHaveProperty('officerId');
  });

  it('stays closed when closed after the statement it opened for, even if that statement is applied again', async () => {
    await repository.openOrUpdateCase(statement('TS0044A', '2026-10', 500), {}, '2026-11-05T00:00:00.000Z');
    await close('TS0044A', '2026-11-12T09:00:00.000Z');
    expect(
      await repository.openOrUpdateCase(statement('TS0044A', '2026-10', 500), {}, '2026-11-06T00:00:00.000Z'),
    ).toBe('unchanged');
    expect(await slot('TS0044A')).toMatchObject({ status: 'CLOSED', caseId: 'TS0044A#2026-10' });
  });

  it("judges a closing by its day in Vietnam: closed on the month's last day there, the month's arrears open a new case", async () => {
    await repository.openOrUpdateCase(statement('TS0045A', '2026-09', 500), {}, '2026-10-05T00:00:00.000Z');
    // 10:00 on 31 October in Vietnam: 03:00 UTC, a string later than "2026-10-31".
    await close('TS0045A', '2026-10-31T03:00:00.000Z');
    expect(
      await repository.openOrUpdateCase(statement('TS0045A', '2026-10', 800), {}, '2026-11-05T00:00:00.000Z'),
    ).toBe('opened');
    // 05:00 on 1 November in Vietnam (22:00 UTC on the 31st): after October, which it settled.
    await repository.openOrUpdateCase(statement('TS0046A', '2026-09', 500), {}, '2026-10-05T00:00:00.000Z');
    await close('TS0046A', '2026-10-31T22:00:00.000Z');
    expect(
      await repository.openOrUpdateCase(statement('TS0046A', '2026-10', 800), {}, '2026-11-05T00:00:00.000Z'),
    ).toBe('unchanged');
  });

  it('archives a closed episode and opens a new case when arrears come back later', async () => {
    expect(
      await repository.openOrUpdateCase(statement('TS0044A', '2027-02', 700), {}, '2027-03-05T00:00:00.000Z'),
    ).toBe('opened');
    expect(await slot('TS0044A')).toMatchObject({
      status: 'OPEN',
      caseId: 'TS0044A#2027-02',
      openedForPeriod: '2027-02',
      overduePrincipal: 700,
    });
    expect(await slot('TS0044A', 'CLOSED#TS0044A#2026-10')).toMatchObject({
      status: 'CLOSED',
      caseId: 'TS0044A#2026-10',
    });
  });
  describe('with the slot read beforehand (a batch reads its cases in one request)', () => {
    const at = '2026-11-05T00:00:00.000Z';
    /** The commands one call sends, and its outcome. */
    const sent = async (call: () => Promise<string>) => {
      const spy = vi.spyOn(awsClients().dynamo, 'send');
      try {
        const outcome = await call();
        return { outcome, commands: spy.mock.calls.map(([command]) => command) };
      } finally {
        spy.mockRestore();
      }
    };
    const currentOf = async (employerId: string) =>
      (await repository.currentCases([employerId])).get(employerId) ?? null;

    it('opens a case in an empty slot, and refreshes an open one, each with one short write', async () => {
      const opened = await sent(() =>
        repository.openOrUpdateCase(statement('TS0050A', '2026-10', 500), { officerId: 'CB01' }, at, {
          current: null,
        }),
      );
      expect(opened.outcome).toBe('opened');
      expect(opened.commands).toHaveLength(1);
      expect(opened.commands[0]).toBeInstanceOf(PutCommand);

      const current = await currentOf('TS0050A');
      expect(current).toMatchObject({ caseId: 'TS0050A#2026-10', officerId: 'CB01', overduePrincipal: 500 });
      const refreshed = await sent(() =>
        repository.openOrUpdateCase(
          statement('TS0050A', '2026-11', 900),
          { officerId: 'CB02' },
          '2026-12-05T00:00:00.000Z',
          { current },
        ),
      );
      expect(refreshed.outcome).toBe('updated');
      expect(refreshed.commands).toHaveLength(1);
      const update = refreshed.commands[0] as UpdateCommand;
      expect(update).toBeInstanceOf(UpdateCommand);
      expect(update.input.UpdateExpression).not.toContain('if_not_exists');
      expect(await slot('TS0050A')).toMatchObject({
        caseId: 'TS0050A#2026-10',
        openedAt: at,
        officerId: 'CB01', // the officer on record when it opened
        overduePrincipal: 900,
        owed: 905,
        lastStatementPeriod: '2026-11',
        updatedAt: '2026-12-05T00:00:00.000Z',
      });
    });

    it('records an officer for a case opened without one', async () => {
      await repository.openOrUpdateCase(statement('TS0051A', '2026-10', 500), {}, at, { current: null });
      const current = await currentOf('TS0051A');
      expect(
        await repository.openOrUpdateCase(statement('TS0051A', '2026-10', 600), { officerId: 'CB03' }, at, {
          current,
        }),
      ).toBe('updated');
      expect(await slot('TS0051A')).toMatchObject({ officerId: 'CB03', overduePrincipal: 600 });
    });

    it('takes the general path when the slot changed since it was read, and loses nothing', async () => {
      // Read empty, then filled by another write: the case is refreshed, not opened twice.
      await repository.openOrUpdateCase(statement('TS0052A', '2026-10', 500), {}, at);
      expect(
        await repository.openOrUpdateCase(statement('TS0052A', '2026-10', 700), {}, at, { current: null }),
      ).toBe('updated');
      expect(await slot('TS0052A')).toMatchObject({ caseId: 'TS0052A#2026-10', overduePrincipal: 700 });

      // Read open, then closed after the statement's month by a payment in full: it stays closed.
      const stale = await currentOf('TS0052A');
      await close('TS0052A', '2026-11-12T09:00:00.000Z');
      expect(
        await repository.openOrUpdateCase(statement('TS0052A', '2026-10', 700), {}, at, { current: stale }),
      ).toBe('unchanged');
      expect(await slot('TS0052A')).toMatchObject({ status: 'CLOSED', overduePrincipal: 700 });

      // Read closed, arrears back months later: the closed episode is archived and a new case opens.
      const closed = await currentOf('TS0052A');
      expect(
        await repository.openOrUpdateCase(
          statement('TS0052A', '2027-02', 300),
          {},
          '2027-03-05T00:00:00.000Z',
          { current: closed },
        ),
      ).toBe('opened');
      expect(await slot('TS0052A')).toMatchObject({ status: 'OPEN', caseId: 'TS0052A#2027-02' });
      expect(await slot('TS0052A', 'CLOSED#TS0052A#2026-10')).toMatchObject({ status: 'CLOSED' });
    });

    it('fills in what a case written by an older version lacks, by the general path', async () => {
      await awsClients().dynamo.send(
        new PutCommand({
          TableName: 'Cases',
          Item: {
            employerId: 'TS0054A',
            slot: 'CURRENT',
            caseId: 'TS0054A#2026-09',
            status: 'OPEN',
            stage: 'REMINDER',
            openedAt: '2026-10-05T00:00:00.000Z',
            openedForPeriod: '2026-09',
            policyVersion: 'default',
            lastStatementPeriod: '2026-09',
            overduePrincipal: 100,
          },
        }),
      );
      const current = await currentOf('TS0054A');
      const refreshed = await sent(() =>
        repository.openOrUpdateCase(statement('TS0054A', '2026-10', 400), {}, at, { current }),
      );
      expect(refreshed.outcome).toBe('updated');
      expect((refreshed.commands[0] as UpdateCommand).input.UpdateExpression).toContain('if_not_exists');
      expect(await slot('TS0054A')).toMatchObject({
        caseId: 'TS0054A#2026-09',
        stage: 'REMINDER',
        documents: {},
        stageReachedAt: {},
        overduePrincipal: 400,
      });
    });

    it('leaves a case holding a newer statement as it is', async () => {
      await repository.openOrUpdateCase(statement('TS0053A', '2026-11', 900), {}, at, { current: null });
      const current = await currentOf('TS0053A');
      expect(
        await repository.openOrUpdateCase(statement('TS0053A', '2026-10', 500), {}, at, { current }),
      ).toBe('unchanged');
      expect(await slot('TS0053A')).toMatchObject({ overduePrincipal: 900, lastStatementPeriod: '2026-11' });
    });
  });
});

describe("a page's ledgers, read as one key range", () => {
  it("gives every employer its rows, even when an id of the page sorts below the ledger's '#' separator", async () => {
    const partition = 'P-RANGE';
    // Key order as the employers index pages them; the last id ends with a space (a malformed import),
    // whose "<id>$" bound would sort below "TS0010A#..." and cut the employer before it off.
    const ids = ['TS0009A', 'TS0010A', 'TS0010A '];
    for (const employerId of ids) {
      const rows = storedLedgerRows(employerId, partition, {
        type: 'PAYROLL',
        entryKey: 'PAYROLL#2026-09',
        period: '2026-09',
        employees: [{ id: 'NV01', insuredWage: 10_000_000 }],
      });
      for (const row of rows)
        await awsClients().dynamo.send(new PutCommand({ TableName: 'Ledger', Item: row }));
    }
    const ledgers = await new C12Repository(awsClients().dynamo).ledgersOfPage(partition, ids);
    for (const employerId of ids) expect(ledgers.get(employerId), employerId).toHaveLength(1);
  });
});

describe('a ledger row holding a number no JavaScript number can carry', () => {
  it("quarantines only its employer; the page's others get their notices", async () => {
    const partition = 'P-NUMBER';
    const { dynamo } = awsClients();
    for (const employerId of ['TS9061A', 'TS9062A']) {
      await dynamo.send(
        new PutCommand({
          TableName: 'Employers',
          Item: {
            employerId,
            name: `Công ty ${employerId}`,
            region: 'I',
            reducedAccidentRate: false,
            email: `ketoan@${employerId.toLowerCase()}.example`,
            partition,
          },
        }),
      );
      for (const row of storedLedgerRows(employerId, partition, {
        type: 'PAYROLL',
        entryKey: 'PAYROLL#2026-09',
        period: '2026-09',
        employees: [{ id: 'NV01', insuredWage: 10_000_000 }],
      }))
        await dynamo.send(new PutCommand({ TableName: 'Ledger', Item: row }));
    }
    // Written as another system might: 17 significant digits and a fraction, beyond a double's precision.
    const [payment] = storedLedgerRows('TS9061A', partition, {
      type: 'PAYMENT',
      entryKey: 'PAYMENT#2026-10-20#UNC-1',
      date: '2026-10-20',
      amount: 1,
      ref: 'UNC-1',
    });
    await dynamo.send(
      new PutItemCommand({
        TableName: 'Ledger',
        Item: { ...marshall(payment!), amount: { N: '12345678901234567.5' } },
      }),
    );
    const sent: string[] = [];
    const result = await processBatch(
      {
        repository: new C12Repository(dynamo),
        composeNotice: async (employer) => ({
          from: 'thongbao@bhxh-demo.vn',
          to: [employer.email!],
          subject: 'Thông báo',
          text: 'Thông báo',
          html: '<p>Thông báo</p>',
          attachments: [],
        }),
        send: async (mail) => (sent.push(mail.to[0]!), { status: 'SENT', messageId: `m-${sent.length}` }),
        now: () => new Date().toISOString(),
        renewLease: async () => undefined,
        concurrency: 2,
        chunkSize: CHUNK_SIZE,
        chunksInFlight: CHUNKS_IN_FLIGHT,
      },
      { runId: 'RUN-NUMBER', period: '2026-10', partition, batchSize: 100, cursor: null },
    );
    expect(sent).toEqual(['ketoan@ts9062a.example']);
    expect(result.counts).toMatchObject({ sent: 1, quarantined: 1 });
    const quarantined = (await new C12Repository(dynamo).runItems('RUN-NUMBER')).filter((item) =>
      item.itemKey.startsWith('QUARANTINE#'),
    );
    expect(quarantined).toEqual([
      expect.objectContaining({
        employerId: 'TS9061A',
        reasons: [expect.stringMatching(/^ledger: .*12345678901234567\.5/)],
      }),
    ]);
  });
});
