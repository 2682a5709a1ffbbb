import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  ScanCommand,
  type BatchWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeStatement } from '../../../functions/c12/account.ts';
import { chargePayroll } from '../../../functions/c12/charges.ts';
import {
  adjustmentSchema,
  employerSchema,
  paymentSchema,
  payrollSchema,
  pensionSuspensionSchema,
  statementRequestSchema,
} from '../../../functions/c12/model.ts';
import { DEFAULT_POLICY, REGIONS, valueAt } from '../../../functions/c12/policy.ts';
import { addMonths, lastDayOf, periodOf } from '../../../functions/shared/calendar.ts';
import { TABLES } from '../../../functions/shared/tables.ts';
import {
  closeServer,
  ensureTables,
  LOCAL_CREDENTIALS,
  LOCAL_HOST,
  LOCAL_REGION,
} from '../../../infra/local/emulators.ts';
import {
  BEHAVIOURS,
  generateDemoProvince,
  isProvinceSeeded,
  storedLedgerOf,
  writeDemoProvince,
  type AdjustmentRow,
  type DemoProvince,
  type EmployerItem,
  type LedgerRow,
  type PaymentRow,
  type PayrollRow,
  type PensionSuspensionRow,
} from '../../../infra/local/seed.ts';

const AS_OF = '2026-11-22';
const MONTHS = 14;

let province: DemoProvince;
const rowsOf = new Map<string, LedgerRow[]>();

beforeAll(() => {
  province = generateDemoProvince({ employers: 300, seed: 42, asOf: AS_OF, months: MONTHS });
  for (const row of province.ledgerRows) {
    const list = rowsOf.get(row.employerId) ?? [];
    list.push(row);
    rowsOf.set(row.employerId, list);
  }
});

const payrollsOf = (id: string) =>
  (rowsOf.get(id) ?? []).filter((r): r is PayrollRow => r.type === 'PAYROLL');
const paymentsOf = (id: string) =>
  (rowsOf.get(id) ?? []).filter((r): r is PaymentRow => r.type === 'PAYMENT');
const adjustmentsOf = (id: string) =>
  (rowsOf.get(id) ?? []).filter((r): r is AdjustmentRow => r.type === 'ADJUSTMENT');
const withBehaviour = (behaviour: string) => province.employers.filter((e) => e.behaviour === behaviour);
const termsOf = (e: EmployerItem) => ({ region: e.region, reducedAccidentRate: e.reducedAccidentRate });
const sumOf = (rows: { amount: number }[]) => rows.reduce((total, row) => total + row.amount, 0);

/** Each row through the model's schema for its type; the issue paths of the rows that fail. */
function validate(row: LedgerRow): (string | number)[][] {
  const schema = {
    PAYROLL: payrollSchema,
    PAYMENT: paymentSchema,
    ADJUSTMENT: adjustmentSchema,
    PENSION_SUSPENSION: pensionSuspensionSchema,
  }[row.type];
  const parsed = schema.safeParse(row);
  return parsed.success ? [] : parsed.error.issues.map((issue) => issue.path as (string | number)[]);
}

function statementFor(employer: EmployerItem, period: string) {
  const rows = rowsOf.get(employer.employerId) ?? [];
  return computeStatement(
    statementRequestSchema.parse({
      employer: { id: employer.employerId, name: employer.name, ...termsOf(employer) },
      period,
      payroll: rows.filter((r) => r.type === 'PAYROLL'),
      payments: rows.filter((r) => r.type === 'PAYMENT'),
      adjustments: rows.filter((r) => r.type === 'ADJUSTMENT'),
      pensionSuspensions: rows.filter((r) => r.type === 'PENSION_SUSPENSION'),
    }),
  );
}

describe('generateDemoProvince', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    const again = generateDemoProvince({ employers: 300, seed: 42, asOf: AS_OF, months: MONTHS });
    expect(again).toEqual(province);
    const other = generateDemoProvince({ employers: 300, seed: 7, asOf: AS_OF, months: MONTHS });
    expect(other.ledgerRows).not.toEqual(province.ledgerRows);
    expect(other.employers.map((e) => e.behaviour)).not.toEqual(province.employers.map((e) => e.behaviour));
  });

  it('has the requested employers, 6-10 officers under supervisors and a director, several communes', () => {
    expect(province.employers).toHaveLength(300);
    const byRole = (role: string) => province.officers.filter((o) => o.role === role);
    expect(byRole('OFFICER').length).toBeGreaterThanOrEqual(6);
    expect(byRole('OFFICER').length).toBeLessThanOrEqual(10);
    expect([1, 2]).toContain(byRole('SUPERVISOR').length);
    expect(byRole('DIRECTOR')).toHaveLength(1);
    const supervisorIds = new Set(byRole('SUPERVISOR').map((o) => o.officerId));
    for (const officer of byRole('OFFICER')) expect(supervisorIds).toContain(officer.supervisorId);
    for (const supervisor of byRole('SUPERVISOR'))
      expect(supervisor.supervisorId).toBe(byRole('DIRECTOR')[0]?.officerId);
    for (const officer of province.officers) {
      expect(officer.email).toMatch(/^[a-z]+\.[a-z]+@bhxh-demo\.vn$/);
      expect(officer.name.normalize('NFD')).toMatch(/\p{M}/u); // Vietnamese diacritics
    }

    expect(province.partitions.length).toBeGreaterThanOrEqual(8);
    expect(province.partitions.length).toBeLessThanOrEqual(12);
    for (const partition of province.partitions) {
      expect(partition.partition).toMatch(/^X-/);
      expect(partition.name).toMatch(/^(Xã|Phường) /);
      expect(partition.employerCount).toBe(
        province.employers.filter((e) => e.partition === partition.partition).length,
      );
      expect(partition.employerCount).toBeGreaterThan(0);
    }
  });

  it('links every employer to an existing officer and partition, with unique ids and keys', () => {
    const officers = new Map(province.officers.map((o) => [o.officerId, o]));
    const partitions = new Map(province.partitions.map((p) => [p.partition, p]));
    expect(officers.size).toBe(province.officers.length);
    expect(partitions.size).toBe(province.partitions.length);
    const employerIds = new Set(province.employers.map((e) => e.employerId));
    expect(employerIds.size).toBe(province.employers.length);
    for (const employer of province.employers) {
      expect(employer.employerId).toMatch(/^TS\d{4}[A-Z]$/);
      expect(officers.get(employer.officerId)?.role).toBe('OFFICER');
      expect(partitions.get(employer.partition)?.name).toBe(employer.communeName);
      expect(employer.address).toContain(employer.communeName);
      expect(employer.name).toMatch(/^(Công ty TNHH|Công ty Cổ phần|Hợp tác xã|Trường Mầm non) /);
      expect(employer.headTitle.length).toBeGreaterThan(0);
      // Đà Lạt and Bảo Lộc are region II, rural communes III/IV (Decree 74/2024).
      expect(employer.region).toMatch(employer.communeName.startsWith('Phường') ? /^II$/ : /^(III|IV)$/);
    }
    const keys = new Set(province.ledgerRows.map((r) => `${r.employerId}|${r.entryKey}`));
    expect(keys.size).toBe(province.ledgerRows.length);
    for (const row of province.ledgerRows) expect(employerIds).toContain(row.employerId);
  });

  it('stores plain DynamoDB items: no undefined attributes, whole-VND integers', () => {
    const problems: string[] = [];
    const walk = (value: unknown, path: string): void => {
      if (value === undefined) problems.push(`${path} is undefined`);
      else if (typeof value === 'number' && !Number.isSafeInteger(value)) problems.push(`${path} = ${value}`);
      else if (value && typeof value === 'object')
        for (const [k, v] of Object.entries(value)) walk(v, `${path}.${k}`);
    };
    walk(province, 'province');
    expect(problems).toEqual([]);
  });

  it('gives every employer one payroll per month up to the last closed month and nothing after asOf', () => {
    const expected = Array.from({ length: MONTHS }, (_, k) => addMonths('2025-09', k));
    expect(expected.at(-1)).toBe('2026-10');
    for (const employer of province.employers) {
      const payrolls = payrollsOf(employer.employerId);
      expect(payrolls.map((p) => p.period)).toEqual(expected);
      for (const payroll of payrolls) {
        expect(payroll.entryKey).toBe(`PAYROLL#${payroll.period}`);
        expect(payroll.employees.length).toBeGreaterThanOrEqual(3);
        expect(payroll.employees.length).toBeLessThanOrEqual(300);
        expect(new Set(payroll.employees.map((e) => e.id)).size).toBe(payroll.employees.length);
      }
    }
    for (const row of province.ledgerRows) {
      if (row.type === 'PAYMENT' || row.type === 'ADJUSTMENT') expect(row.date <= AS_OF).toBe(true);
      if (row.type === 'PAYMENT') expect(row.entryKey).toBe(`PAYMENT#${row.date}#${row.ref}`);
      if (row.type === 'ADJUSTMENT') expect(row.entryKey.startsWith(`ADJUSTMENT#${row.date}#`)).toBe(true);
    }
  });

  it('has realistic payrolls: wage spread, a few above the cap, foreign workers, under-declarations, raises', () => {
    const last = province.ledgerRows.filter(
      (r): r is PayrollRow => r.type === 'PAYROLL' && r.period === '2026-10',
    );
    const wages = last.flatMap((p) =>
      p.employees.filter((e) => e.insuredWage >= 0).map((e) => e.insuredWage),
    );
    wages.sort((a, b) => a - b);
    const share = (test: (w: number) => boolean) => wages.filter(test).length / wages.length;
    expect(share((w) => w >= 4_500_000 && w <= 25_000_000)).toBeGreaterThan(0.8);
    const cap = 20 * valueAt(DEFAULT_POLICY.referenceLevel, '2026-10-01');
    expect(wages.filter((w) => w > cap).length).toBeGreaterThan(0);
    expect(share((w) => w > cap)).toBeLessThan(0.03);
    expect(last.flatMap((p) => p.employees).filter((e) => e.bhtn === false).length).toBeGreaterThan(0);

    let below = 0;
    for (const employer of province.employers) {
      for (const payroll of payrollsOf(employer.employerId)) {
        below += chargePayroll(DEFAULT_POLICY, termsOf(employer), payroll).flags.filter(
          (f) =>
            f.code === 'BELOW_REGIONAL_MINIMUM' &&
            payroll.employees.find((e) => e.id === f.employeeId)!.insuredWage >= 0,
        ).length;
      }
    }
    expect(below).toBeGreaterThan(0);
    expect(below).toBeLessThan(province.ledgerRows.length / 20); // a handful, not the norm

    // Headcount drifts, and continuing employees get a January raise.
    let drifting = 0;
    let raised = 0;
    let continuing = 0;
    for (const employer of withBehaviour('on-time')) {
      const payrolls = payrollsOf(employer.employerId);
      if (new Set(payrolls.map((p) => p.employees.length)).size > 1) drifting++;
      const december = new Map(
        payrolls.find((p) => p.period === '2025-12')!.employees.map((e) => [e.id, e.insuredWage]),
      );
      for (const e of payrolls.find((p) => p.period === '2026-01')!.employees) {
        const before = december.get(e.id);
        if (before === undefined) continue;
        continuing++;
        if (e.insuredWage > before) raised++;
      }
    }
    expect(drifting).toBeGreaterThan(withBehaviour('on-time').length / 2);
    expect(raised / continuing).toBeGreaterThan(0.8);
  });

  it('passes the model schemas except exactly one row of each malformed employer, on the expected field', () => {
    for (const employer of province.employers) {
      const parsed = employerSchema.safeParse({ ...employer, id: employer.employerId });
      expect(parsed.success, employer.employerId).toBe(true);
    }
    const failures = province.ledgerRows
      .map((row) => ({ row, paths: validate(row) }))
      .filter((failure) => failure.paths.length > 0);
    const malformed = withBehaviour('malformed');
    expect(malformed).toHaveLength(3);
    expect(failures.map((f) => f.row.employerId).sort()).toEqual(malformed.map((e) => e.employerId).sort());

    const payroll = failures.find((f) => f.row.type === 'PAYROLL');
    expect(payroll?.paths).toEqual([['employees', expect.any(Number), 'insuredWage']]);
    const payment = failures.find((f) => f.row.type === 'PAYMENT');
    expect(payment?.paths).toEqual([['date']]);
    expect((payment?.row as PaymentRow).date).toMatch(/^\d{4}-\d{2}-(29|30|31)$/);
    const adjustment = failures.find((f) => f.row.type === 'ADJUSTMENT');
    expect(adjustment?.paths).toEqual([['fund']]);
    expect(failures).toHaveLength(3);
  });

  it('deals every behaviour in roughly the intended shares, plus employers without e-mail and adjustments', () => {
    const count = (b: string) => withBehaviour(b).length;
    for (const behaviour of BEHAVIOURS) expect(count(behaviour), behaviour).toBeGreaterThan(0);
    expect(count('on-time') / 300).toBeGreaterThan(0.5);
    expect(count('on-time') / 300).toBeLessThan(0.65);
    expect(count('slightly-late') / 300).toBeGreaterThan(0.15);
    expect(count('chronic-arrears') / 300).toBeGreaterThan(0.05);
    expect([1, 2]).toContain(count('pension-suspension'));
    const noEmail = province.employers.filter((e) => e.email === undefined);
    expect(noEmail.length).toBeGreaterThan(0);
    expect(noEmail.length).toBeLessThan(300 * 0.06);
    for (const e of province.employers) if (e.email) expect(e.email).toMatch(/^[\w.]+@[\w-]+\.vn$/);

    const adjustments = province.ledgerRows.filter((r): r is AdjustmentRow => r.type === 'ADJUSTMENT');
    expect(new Set(adjustments.map((a) => a.employerId)).size).toBeGreaterThanOrEqual(3);
    expect(adjustments.filter((a) => a.amount < 0)).toHaveLength(1);
    for (const a of adjustments) expect(a.period < periodOf(a.date)).toBe(true); // retroactive
  });

  it('on-time payers pay exactly their chargePayroll charge in the month after each period', () => {
    for (const employer of withBehaviour('on-time')) {
      const payments = paymentsOf(employer.employerId);
      // Corrections are paid in the month they are posted, on top of the monthly charge.
      const corrections = adjustmentsOf(employer.employerId).filter((a) => a.amount > 0);
      const paidIn = (month: string) =>
        sumOf(payments.filter((p) => periodOf(p.date) === month)) -
        sumOf(corrections.filter((a) => periodOf(a.date) === month));
      const payrolls = payrollsOf(employer.employerId);
      for (const payroll of payrolls) {
        const month = addMonths(payroll.period, 1);
        const due = chargePayroll(DEFAULT_POLICY, termsOf(employer), payroll).total;
        for (const p of payments.filter((q) => periodOf(q.date) === month))
          expect(p.date <= lastDayOf(month)).toBe(true);
        if (lastDayOf(month) < AS_OF)
          expect(paidIn(month), `${employer.employerId} ${payroll.period}`).toBe(due);
        else expect(paidIn(month)).toBeLessThanOrEqual(due); // the current month: not due yet
      }
      const months = new Set(payrolls.map((p) => addMonths(p.period, 1)));
      for (const p of payments) expect(months).toContain(periodOf(p.date));
    }
  });

  it('pension-suspended employers pay all but HT_TT during the suspension, then make it up', () => {
    for (const employer of withBehaviour('pension-suspension')) {
      const rows = rowsOf.get(employer.employerId) ?? [];
      const suspension = rows.find((r): r is PensionSuspensionRow => r.type === 'PENSION_SUSPENSION');
      expect(suspension?.entryKey).toBe(`SUSPENSION#HT_TT#${suspension?.from}`);
      const { from, to } = suspension!;
      expect(from >= '2025-09' && to <= '2026-10').toBe(true);
      let suspended = 0;
      for (const payroll of payrollsOf(employer.employerId)) {
        const charge = chargePayroll(DEFAULT_POLICY, termsOf(employer), payroll);
        const month = addMonths(payroll.period, 1);
        const paid = sumOf(paymentsOf(employer.employerId).filter((p) => periodOf(p.date) === month));
        const inSuspension = payroll.period >= from && payroll.period <= to;
        if (inSuspension) suspended += charge.funds.HT_TT;
        const makeUp = month === addMonths(to, 1) ? suspended : 0;
        if (lastDayOf(month) < AS_OF)
          expect(paid).toBe(charge.total - (inSuspension ? charge.funds.HT_TT : 0) + makeUp);
      }
    }
  });

  it('produces the intended statements for the last closed month with the real account engine', () => {
    const statement = (e: EmployerItem) => statementFor(e, '2026-10');
    for (const e of withBehaviour('on-time')) expect(statement(e).overduePrincipal, e.employerId).toBe(0);
    for (const e of withBehaviour('pension-suspension')) expect(statement(e).overduePrincipal).toBe(0);
    for (const e of withBehaviour('chronic-arrears')) {
      const s = statement(e);
      expect(s.overduePrincipal).toBeGreaterThan(0);
      expect(s.flags.some((f) => f.code === 'IN_ARREARS')).toBe(true);
    }
    // A few chronic debtors carry large debts with many workers.
    const large = withBehaviour('chronic-arrears').filter(
      (e) =>
        statement(e).overduePrincipal > 500_000_000 &&
        payrollsOf(e.employerId).at(-1)!.employees.length >= 100,
    );
    expect(large.length).toBeGreaterThanOrEqual(2);
    for (const e of withBehaviour('stopped-paying')) {
      expect(statement(e).overduePrincipal).toBeGreaterThan(0);
      const lastPayment = paymentsOf(e.employerId)
        .map((p) => p.date)
        .sort()
        .at(-1)!;
      expect(lastPayment < '2026-09-01').toBe(true);
    }
    for (const e of withBehaviour('overpayment'))
      expect(statement(e).credit.carriedForward).toBeGreaterThan(0);
    // Slightly late payers pay after the deadline, so they accrue interest in some months.
    const interest = withBehaviour('slightly-late').reduce(
      (total, e) =>
        total + ['2026-04', '2026-07', '2026-10'].reduce((t, m) => t + statementFor(e, m).total.interest, 0),
      0,
    );
    expect(interest).toBeGreaterThan(0);
    for (const e of withBehaviour('slightly-late'))
      expect(statement(e).overduePrincipal).toBeLessThan(statement(e).total.charged * 3);
  });

  it('scales to other sizes and dates: 10 employers, a different asOf', () => {
    const small = generateDemoProvince({ employers: 10, seed: 1, asOf: '2026-03-05', months: 6 });
    expect(small.employers).toHaveLength(10);
    const periods = [
      ...new Set(small.ledgerRows.filter((r) => r.type === 'PAYROLL').map((r) => (r as PayrollRow).period)),
    ];
    expect(periods.sort()).toEqual(['2025-09', '2025-10', '2025-11', '2025-12', '2026-01', '2026-02']);
    expect(REGIONS).toContain(small.employers[0]?.region);
    // One month only, its payment not made yet: the bad row falls back to a payroll.
    const tiny = generateDemoProvince({ employers: 20, seed: 5, asOf: '2026-11-03', months: 1 });
    const failing = tiny.ledgerRows.filter((row) => validate(row).length > 0);
    expect(failing.map((row) => row.employerId).sort()).toEqual(
      tiny.employers
        .filter((e) => e.behaviour === 'malformed')
        .map((e) => e.employerId)
        .sort(),
    );
    expect(failing).toHaveLength(2);
    expect(() => generateDemoProvince({ employers: 0 })).toThrow(RangeError);
    expect(() => generateDemoProvince({ asOf: '2026-02-30' })).toThrow(RangeError);
  });
});

describe('writeDemoProvince', () => {
  type Send = (command: BatchWriteCommand) => Promise<{ UnprocessedItems?: Record<string, unknown[]> }>;
  const fakeClient = (send: Send) => ({ send }) as unknown as DynamoDBDocumentClient;

  it('retries UnprocessedItems and writes Partitions last', async () => {
    const data = generateDemoProvince({ employers: 12, seed: 3, months: 2 });
    const seen: { table: string; count: number }[] = [];
    let calls = 0;
    const client = fakeClient(async (command) => {
      const [table, requests] = Object.entries(command.input.RequestItems ?? {})[0]!;
      seen.push({ table, count: requests.length });
      expect(requests.length).toBeLessThanOrEqual(25);
      // Every third request leaves its last two items unprocessed, as a throttled table does.
      return ++calls % 3 === 0 && requests.length > 2
        ? { UnprocessedItems: { [table]: requests.slice(-2) } }
        : {};
    });
    const report = await writeDemoProvince(client, data, { concurrency: 4, backoffMs: () => 0 });
    const total =
      data.partitions.length + data.officers.length + data.employers.length + data.ledgerRows.length;
    expect(report.items).toBe(total);
    expect(report.retries).toBeGreaterThan(0);
    expect(report.requests).toBe(seen.length);
    const firstPartition = seen.findIndex((s) => s.table === 'Partitions');
    expect(seen.slice(firstPartition).every((s) => s.table === 'Partitions')).toBe(true);
  });

  it('gives up with an error when items stay unprocessed', async () => {
    const data = generateDemoProvince({ employers: 2, seed: 3, months: 1 });
    const client = fakeClient(async (command) => ({
      UnprocessedItems: command.input.RequestItems as Record<string, unknown[]>,
    }));
    await expect(writeDemoProvince(client, data, { maxAttempts: 3, backoffMs: () => 0 })).rejects.toThrow(
      /unprocessed/,
    );
  });

  describe('against dynalite', () => {
    let server: Server;
    let raw: DynamoDBClient;
    let dynamo: DynamoDBDocumentClient;

    beforeAll(async () => {
      server = dynalite({ createTableMs: 0 });
      await new Promise<void>((resolve) => server.listen(0, LOCAL_HOST, resolve));
      const endpoint = `http://${LOCAL_HOST}:${(server.address() as AddressInfo).port}`;
      raw = new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
      dynamo = DynamoDBDocumentClient.from(raw);
      await ensureTables(raw, [TABLES.Partitions, TABLES.Officers, TABLES.Employers, TABLES.Ledger], {});
    });

    afterAll(async () => {
      raw?.destroy();
      if (server) await closeServer(server);
    });

    it('writes every item, reads back equal, and marks the province seeded', async () => {
      const data = generateDemoProvince({ employers: 40, seed: 42, asOf: AS_OF, months: MONTHS });
      expect(await isProvinceSeeded(dynamo, {})).toBe(false);
      const report = await writeDemoProvince(dynamo, data, { env: {} });
      expect(await isProvinceSeeded(dynamo, {})).toBe(true);

      const count = async (table: string) =>
        (await dynamo.send(new ScanCommand({ TableName: table, Select: 'COUNT' }))).Count;
      expect(await count('Partitions')).toBe(data.partitions.length);
      expect(await count('Officers')).toBe(data.officers.length);
      expect(await count('Employers')).toBe(data.employers.length);
      const ledger = storedLedgerOf(data);
      expect(await count('Ledger')).toBe(ledger.length);
      expect(report.items).toBe(
        data.partitions.length + data.officers.length + data.employers.length + ledger.length,
      );

      const employer = data.employers.find((e) => e.email === undefined) ?? data.employers[0]!;
      const stored = await dynamo.send(
        new GetCommand({ TableName: 'Employers', Key: { employerId: employer.employerId } }),
      );
      expect(stored.Item).toEqual(employer);
      const payroll = ledger.find((r) => r.type === 'PAYROLL')!;
      const storedRow = await dynamo.send(
        new GetCommand({
          TableName: 'Ledger',
          Key: { partition: payroll.partition, employerEntry: payroll.employerEntry },
        }),
      );
      expect(storedRow.Item).toEqual(payroll);
    });
  });
});
