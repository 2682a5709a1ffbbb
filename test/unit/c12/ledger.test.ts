import { describe, expect, it } from 'vitest';
import {
  employerRecordSchema,
  ledgerToRequest,
  LedgerValidationError,
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
  employees: [{ id: 'NV001', insuredWage: 8_000_000, bhtn: true }],
};

function reasonsOf(rows: object[]): string[] {
  try {
    ledgerToRequest(employer, rows as never, '2026-10');
  } catch (error) {
    if (error instanceof LedgerValidationError) return error.reasons;
    throw error;
  }
  throw new Error('expected a LedgerValidationError');
}

describe('ledgerToRequest', () => {
  it('maps stored rows to a statement request', () => {
    const rows = [
      payroll,
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
      reducedAccidentRate: false,
    });
    expect(request.payroll).toHaveLength(1);
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
        employees: [{ id: 'NV001', insuredWage: -100 }],
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
});
