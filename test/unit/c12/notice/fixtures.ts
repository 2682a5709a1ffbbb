/**
 * Hand-built statements for the notice tests (the engine is built separately): the November 2026 worked
 * example of domain.md section 2, and variants of it.
 */
import type { FundLine, Statement, TotalLine } from '../../../../functions/c12/model.ts';
import { FUNDS, type Fund } from '../../../../functions/c12/policy.ts';
import type { NoticeInput } from '../../../../functions/c12/notice/pdf.ts';

/** Monthly charge per fund of the two employees (10,000,000 and 60,000,000), domain.md worked example. */
export const MONTHLY_CHARGE: Record<Fund, number> = {
  OD_TS: 1_818_000,
  HT_TT: 13_332_000,
  TNLD_BNN: 303_000,
  BHYT: 2_727_000,
  BHTN: 1_400_000,
};

/** November interest per fund: September's charge 9 days late at 0.03%/day. */
export const NOVEMBER_INTEREST: Record<Fund, number> = {
  OD_TS: 4_909,
  HT_TT: 35_996,
  TNLD_BNN: 818,
  BHYT: 7_363,
  BHTN: 3_780,
};

function totalOf(funds: Record<Fund, FundLine>): TotalLine {
  const sum = (pick: (line: FundLine) => number) => FUNDS.reduce((acc, fund) => acc + pick(funds[fund]), 0);
  return {
    broughtForward: {
      owed: sum((l) => l.broughtForward.owed),
      interestOwed: sum((l) => l.broughtForward.interestOwed),
    },
    charged: sum((l) => l.charged),
    adjusted: sum((l) => l.adjusted),
    interest: sum((l) => l.interest),
    interestBase: sum((l) => l.interestBase),
    paidPrincipal: sum((l) => l.paidPrincipal),
    paidInterest: sum((l) => l.paidInterest),
    carriedForward: {
      owed: sum((l) => l.carriedForward.owed),
      interestOwed: sum((l) => l.carriedForward.interestOwed),
    },
  };
}

export function novemberStatement(): Statement {
  const funds = Object.fromEntries(
    FUNDS.map((fund): [Fund, FundLine] => {
      const charge = MONTHLY_CHARGE[fund];
      return [
        fund,
        {
          // September and October charges were open at the start of November.
          broughtForward: { owed: 2 * charge, interestOwed: 0 },
          charged: charge,
          adjusted: 0,
          interest: NOVEMBER_INTEREST[fund],
          interestBase: charge * 9,
          // 11-10 paid September, 11-25 paid October; interest is posted on 11-30, after both.
          paidPrincipal: 2 * charge,
          paidInterest: 0,
          carriedForward: { owed: charge, interestOwed: NOVEMBER_INTEREST[fund] },
          paidUpTo: '2026-10',
        },
      ];
    }),
  ) as Record<Fund, FundLine>;
  const total = totalOf(funds);
  return {
    employerId: 'TS0001A',
    period: '2026-11',
    policyVersion: '2026-07-01',
    dailyInterestPcm: { BHYT: 30, BHTN: 30, TNLD_BNN: 30, OD_TS: 30, HT_TT: 30 },
    funds,
    total,
    credit: { broughtForward: 0, carriedForward: 0 },
    headcount: 2,
    previousHeadcount: 2,
    wageFund: 70_000_000,
    previousWageFund: 70_000_000,
    payments: [
      { date: '2026-11-10', amount: total.charged, ref: 'UNC-1110' },
      { date: '2026-11-25', amount: total.charged, ref: 'UNC-1125' },
    ],
    overduePrincipal: 0,
    overdueInterest: 0,
    oldestOverdueDueDate: null,
    amountDue: total.carriedForward.owed + total.carriedForward.interestOwed,
    payBy: '2026-12-31',
    flags: [],
  };
}

export function noticeInput(statement: Statement = novemberStatement()): NoticeInput {
  return {
    statement,
    employer: {
      id: statement.employerId,
      name: 'Công ty TNHH Cà phê Đà Lạt Xanh',
      address: '12 Đường Trần Hưng Đạo, Phường Xuân Hương - Đà Lạt, tỉnh Lâm Đồng',
      headName: 'Nguyễn Thị Hồng Nhung',
      headTitle: 'Giám đốc',
    },
    office: { name: 'Bảo hiểm xã hội tỉnh Lâm Đồng' },
    account: {
      number: '3751.0.1058912.91049',
      name: 'Bảo hiểm xã hội tỉnh Lâm Đồng',
      bank: 'Kho bạc Nhà nước tỉnh Lâm Đồng',
    },
  };
}
