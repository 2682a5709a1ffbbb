import { describe, expect, it } from 'vitest';
import {
  employerRecordSchema,
  encodeEmployees,
  ledgerToRequest,
  LedgerValidationError,
  MAX_EMPLOYEES_PER_PAYROLL_ROW,
  storedLedgerRows,
  type LedgerRow,
} from '../../../functions/c12/ledger.ts';

const employer = employerRecordSchema.parse({
  employerId: 'TS0007A',
  name: 'Công ty Cổ phần Chè Cầu Đất',
  region: 'II',
  partition: 'X-XUANHUONG',
});

const payroll = {
  entryKey: 'PAYROLL#2026-10',
  type: 'PAYROLL',
  period: '2026-10',
  employees: encodeEmployees([{ id: 'NV001', insuredWage: 8_000_000 }]),
};

function reasonsOf(rows: object[]): string[] {
  try {
    ledgerToRequest(employer, rows as LedgerRow[], '2026-10');
  } catch (error) {
    if (error instanceof LedgerValidationError) return error.reasons;
    throw error;
  }
  throw new Error('expected a LedgerValidationError');
}

describe('storedLedgerRows', () => {
  it('keys every row for the byPartition index and stores employees compactly', () => {
    const [row, ...more] = storedLedgerRows('TS0007A', 'X-XUANHUONG', {
      type: 'PAYROLL',
      entryKey: 'PAYROLL#2026-10',
      period: '2026-10',
      employees: [
        { id: 'NV001', insuredWage: 8_000_000, bhtn: true },
        { id: 'NV002', insuredWage: 9_000_000, bhtn: false },
      ],
    });
    expect(more).toEqual([]);
    expect(row).toEqual({
      employerId: 'TS0007A',
      entryKey: 'PAYROLL#2026-10',
      partition: 'X-XUANHUONG',
      employerEntry: 'TS0007A#PAYROLL#2026-10',
      type: 'PAYROLL',
      period: '2026-10',
      employees: '[["NV001",8000000],["NV002",9000000,false]]',
    });
  });

  it('reads parts back in part order (10 after 9), and refuses a payroll with a part missing', () => {
    const count = MAX_EMPLOYEES_PER_PAYROLL_ROW * 10 + 1;
    const employees = Array.from({ length: count }, (_, i) => ({ id: `NV${i}`, insuredWage: 5_000_000 }));
    const rows = storedLedgerRows('TS0007A', 'P', {
      type: 'PAYROLL',
      entryKey: 'PAYROLL#2026-10',
      period: '2026-10',
      employees,
    });
    expect(rows).toHaveLength(11);
    // Key order, as a query returns them: PAYROLL#2026-10, #10, #11, #2, ...
    const inKeyOrder = [...rows].sort((a, b) => (String(a.entryKey) < String(b.entryKey) ? -1 : 1));
    const request = ledgerToRequest(employer, inKeyOrder as LedgerRow[], '2026-10');
    expect(request.payroll[0]!.employees.map((employee) => employee.id)).toEqual(employees.map((e) => e.id));
    expect(reasonsOf(inKeyOrder.filter((row) => row.entryKey !== 'PAYROLL#2026-10#3'))).toEqual([
      'PAYROLL#2026-10: part: the payroll of 2026-10 has parts 1, 2, 4, 5, 6, 7, 8, 9, 10, 11, not 1..10',
    ]);
    expect(reasonsOf(inKeyOrder.filter((row) => row.entryKey !== 'PAYROLL#2026-10'))[0]).toMatch(
      /has parts 2, 3, .*, not 1\.\.10$/,
    );
  });

  it('splits a payroll too large for one item into parts that read back as one payroll', () => {
    const count = MAX_EMPLOYEES_PER_PAYROLL_ROW * 2 + 5;
    const employees = Array.from({ length: count }, (_, i) => ({ id: `NV${i}`, insuredWage: 5_000_000 + i }));
    const rows = storedLedgerRows('TS0007A', 'P', {
      type: 'PAYROLL',
      entryKey: 'PAYROLL#2026-10',
      period: '2026-10',
      employees,
    });
    expect(rows.map((row) => row.entryKey)).toEqual([
      'PAYROLL#2026-10',
      'PAYROLL#2026-10#2',
      'PAYROLL#2026-10#3',
    ]);
    const request = ledgerToRequest(employer, rows as LedgerRow[], '2026-10');
    expect(request.payroll).toHaveLength(1);
    expect(request.payroll[0]!.employees.map((employee) => employee.id)).toEqual(employees.map((e) => e.id));
  });
});

describe('ledgerToRequest', () => {
  it('maps stored rows to a statement request', () => {
    const rows = [
      { ...payroll, employees: encodeEmployees([{ id: 'NV001', insuredWage: 8_000_000, bhtn: false }]) },
      {
        entryKey: 'PAYMENT#2026-11-05#UNC-1',
        type: 'PAYMENT',
        date: '2026-11-05',
        amount: 2_560_000,
        ref: 'UNC-1',
      },
      { entryKey: 'SUSPENSION#HT_TT#2026-03', type: 'PENSION_SUSPENSION', from: '2026-03', to: '2026-05' },
    ];
    const request = ledgerToRequest(employer, rows, '2026-10');
    expect(request.employer).toEqual({
      id: 'TS0007A',
      name: employer.name,
      region: 'II',
      earlierRegions: [],
      reducedAccidentRate: false,
    });
    expect(request.payroll).toEqual([
      { period: '2026-10', employees: [{ id: 'NV001', insuredWage: 8_000_000, bhtn: false }] },
    ]);
    expect(request.payments[0]).toEqual({ date: '2026-11-05', amount: 2_560_000, ref: 'UNC-1' });
    expect(request.pensionSuspensions).toEqual([{ from: '2026-03', to: '2026-05' }]);
  });

  it('names the row and the field of every malformed row', () => {
    const reasons = reasonsOf([
      payroll,
      {
        ...payroll,
        entryKey: 'PAYROLL#2026-09',
        period: '2026-09',
        employees: encodeEmployees([{ id: 'NV001', insuredWage: -100 }]),
      },
      {
        entryKey: 'ADJUSTMENT#2026-10-02#A1',
        type: 'ADJUSTMENT',
        date: '2026-10-02',
        period: '2026-08',
        fund: 'BHXH_XX',
        amount: 5,
      },
      { entryKey: 'PAYMENT#2026-02-30#UNC-9', type: 'PAYMENT', date: '2026-02-30', amount: 100 },
      { entryKey: 'NOTE#1', type: 'NOTE' },
    ]);
    expect(reasons).toEqual([
      'PAYROLL#2026-09: employees[0].insuredWage: must not be negative',
      expect.stringMatching(/^ADJUSTMENT#2026-10-02#A1: fund: must be one of/),
      'PAYMENT#2026-02-30#UNC-9: date: must be a date YYYY-MM-DD',
      'NOTE#1: unknown ledger row type "NOTE"',
    ]);
  });

  it('checks every field of the encoded employees, and the payroll period', () => {
    const reasons = reasonsOf([
      {
        ...payroll,
        employees: JSON.stringify([
          ['', 1],
          ['NV2', 1.5],
          ['NV3', '7'],
          ['NV4', 1, 'no'],
          ['NV5'],
          'NV6',
          ['NV7', 9e15],
        ]),
      },
      { ...payroll, entryKey: 'PAYROLL#2026-13', period: '2026-13' },
      { ...payroll, entryKey: 'PAYROLL#2026-08', period: '2026-08', employees: '[["NV1", 1' },
      {
        ...payroll,
        entryKey: 'PAYROLL#2026-07',
        period: '2026-07',
        employees: [{ id: 'NV1', insuredWage: 1 }],
      },
    ]);
    expect(reasons).toEqual([
      'PAYROLL#2026-10: employees[0].id: must not be empty',
      'PAYROLL#2026-10: employees[1].insuredWage: must be whole VND',
      'PAYROLL#2026-10: employees[2].insuredWage: must be a number of VND',
      'PAYROLL#2026-10: employees[3].bhtn: must be a boolean',
      'PAYROLL#2026-10: employees[4]: must be [id, insuredWage] or [id, insuredWage, false]',
      'PAYROLL#2026-10: employees[5]: must be [id, insuredWage] or [id, insuredWage, false]',
      'PAYROLL#2026-10: employees[6].insuredWage: must not exceed 1.000.000.000.000 VND',
      'PAYROLL#2026-13: period: must be a month YYYY-MM',
      'PAYROLL#2026-08: employees: is not valid JSON',
      'PAYROLL#2026-07: employees: must be the encoded employee list (a JSON string)',
    ]);
  });

  it('refuses two payrolls of one period (the same part twice)', () => {
    expect(reasonsOf([payroll, { ...payroll, entryKey: 'PAYROLL#2026-10-COPY' }])).toEqual([
      'PAYROLL#2026-10-COPY: period: duplicate period 2026-10',
    ]);
  });
});
