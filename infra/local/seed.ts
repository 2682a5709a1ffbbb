/**
 * The demo province: a realistic, deterministic Lâm Đồng data set for `npm start` and the benchmark.
 *
 * `generateDemoProvince` is pure: the same options give the same items, byte for byte, so demos, tests and
 * benchmark runs are reproducible. Payments are computed with the engine's own `chargePayroll`, so an
 * on-time payer really pays what is due and every difference a statement shows comes from a behaviour.
 * `writeDemoProvince` bulk-loads the items with BatchWrite.
 */
import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { chargePayroll, type EmployerTerms, type PeriodCharge } from '../../functions/c12/charges.ts';
import type { Payroll } from '../../functions/c12/model.ts';
import { DEFAULT_POLICY, FUNDS, valueAt, type Fund, type Region } from '../../functions/c12/policy.ts';
import {
  addMonths,
  dayNumber,
  firstDayOf,
  isoFromDay,
  lastClosedPeriod,
  lastDayOf,
  periodOf,
} from '../../functions/shared/calendar.ts';
import { storedLedgerRows } from '../../functions/c12/ledger.ts';
import { MAX_BATCH_WRITE, writeOneRequest } from '../../functions/shared/dynamo-batch.ts';
import { applyRate } from '../../functions/shared/money.ts';
import { tableName, type LogicalTableName } from '../../functions/shared/tables.ts';

// ---------------------------------------------------------------------------------------------------------
// Item shapes (plain DynamoDB items; absent optional attributes are left out, never `undefined`)

export const BEHAVIOURS = [
  'on-time',
  'slightly-late',
  'chronic-arrears',
  'overpayment',
  'stopped-paying',
  'pension-suspension',
  'malformed',
] as const;
export type Behaviour = (typeof BEHAVIOURS)[number];

export interface PartitionItem {
  partition: string;
  name: string;
  employerCount: number;
}

export type OfficerRole = 'OFFICER' | 'SUPERVISOR' | 'DIRECTOR';

export interface OfficerItem {
  officerId: string;
  name: string;
  email: string;
  role: OfficerRole;
  /** Absent for the director. */
  supervisorId?: string;
}

export interface EmployerItem {
  employerId: string;
  name: string;
  region: Region;
  reducedAccidentRate: boolean;
  /** Absent: the notice goes by post. */
  email?: string;
  headName: string;
  headTitle: string;
  address: string;
  partition: string;
  communeName: string;
  officerId: string;
  behaviour: Behaviour;
}

export interface PayrollRow {
  employerId: string;
  entryKey: string;
  type: 'PAYROLL';
  period: string;
  /** `bhtn` is stored only when false: the schema's default is true, and every stored value costs. */
  employees: { id: string; insuredWage: number; bhtn?: false }[];
}

export interface PaymentRow {
  employerId: string;
  entryKey: string;
  type: 'PAYMENT';
  date: string;
  amount: number;
  ref: string;
}

export interface AdjustmentRow {
  employerId: string;
  entryKey: string;
  type: 'ADJUSTMENT';
  date: string;
  period: string;
  fund: Fund;
  amount: number;
  dueDate?: string;
}

export interface PensionSuspensionRow {
  employerId: string;
  entryKey: string;
  type: 'PENSION_SUSPENSION';
  from: string;
  to: string;
}

export type LedgerRow = PayrollRow | PaymentRow | AdjustmentRow | PensionSuspensionRow;

export interface DemoProvince {
  partitions: PartitionItem[];
  officers: OfficerItem[];
  employers: EmployerItem[];
  ledgerRows: LedgerRow[];
}

export interface DemoProvinceOptions {
  employers?: number;
  seed?: number;
  /** The demo's "today": the ledger holds nothing dated after it. */
  asOf?: string;
  /** Payroll periods, ending with the last closed month before `asOf`. */
  months?: number;
}

// ---------------------------------------------------------------------------------------------------------
// Seeded randomness

/** mulberry32: tiny, fast, good enough for demo data, and identical on every platform. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

class Rng {
  constructor(readonly next: () => number) {}
  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(probability: number): boolean {
    return this.next() < probability;
  }
  pick<T>(values: readonly T[]): T {
    return values[Math.floor(this.next() * values.length)] as T;
  }
  weighted<T>(values: readonly { value: T; weight: number }[]): T {
    const total = values.reduce((sum, entry) => sum + entry.weight, 0);
    let roll = this.next() * total;
    for (const entry of values) {
      roll -= entry.weight;
      if (roll < 0) return entry.value;
    }
    return (values[values.length - 1] as { value: T }).value;
  }
  shuffle<T>(values: T[]): T[] {
    for (let i = values.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [values[i], values[j]] = [values[j] as T, values[i] as T];
    }
    return values;
  }
}

/** An independent stream per employer, so one employer's data does not shift when another's changes. */
function streamFor(seed: number, index: number): Rng {
  return new Rng(mulberry32((Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0));
}

// ---------------------------------------------------------------------------------------------------------
// Reference data: Lâm Đồng after the 2025 reorganisation (no districts; communes and wards report to the
// province). Regions per Decree 74/2024: Đà Lạt and Bảo Lộc II, Đức Trọng and Di Linh III, the rest IV.

interface Commune {
  code: string;
  name: string;
  region: Region;
  /** Share of the province's employers. */
  weight: number;
  streets: readonly string[];
}

const DA_LAT_STREETS = [
  'Phan Đình Phùng',
  'Trần Phú',
  'Bùi Thị Xuân',
  'Hai Bà Trưng',
  '3 Tháng 2',
  'Nguyễn Văn Trỗi',
  'Hoàng Văn Thụ',
  'Yersin',
  'Mai Anh Đào',
  'Lê Hồng Phong',
  'Phù Đổng Thiên Vương',
  'Hùng Vương',
] as const;
const BAO_LOC_STREETS = [
  'Trần Phú',
  'Lê Hồng Phong',
  'Nguyễn Công Trứ',
  'Hà Giang',
  'Phan Bội Châu',
  'Lý Tự Trọng',
] as const;
const RURAL_STREETS = [
  'Quốc lộ 20',
  'Quốc lộ 27',
  'Thôn 1',
  'Thôn 3',
  'Thôn 5',
  'Tổ dân phố 2',
  'Tổ dân phố 4',
] as const;

const COMMUNES: readonly Commune[] = [
  { code: 'XHDL', name: 'Phường Xuân Hương – Đà Lạt', region: 'II', weight: 16, streets: DA_LAT_STREETS },
  { code: 'LVDL', name: 'Phường Lâm Viên – Đà Lạt', region: 'II', weight: 14, streets: DA_LAT_STREETS },
  { code: 'CLDL', name: 'Phường Cam Ly – Đà Lạt', region: 'II', weight: 10, streets: DA_LAT_STREETS },
  { code: 'LBDL', name: 'Phường Lang Biang – Đà Lạt', region: 'II', weight: 7, streets: DA_LAT_STREETS },
  { code: 'BL1', name: 'Phường 1 Bảo Lộc', region: 'II', weight: 12, streets: BAO_LOC_STREETS },
  { code: 'BLAO', name: "Phường B'Lao", region: 'II', weight: 7, streets: BAO_LOC_STREETS },
  { code: 'DTRG', name: 'Xã Đức Trọng', region: 'III', weight: 11, streets: RURAL_STREETS },
  { code: 'DLNH', name: 'Xã Di Linh', region: 'III', weight: 8, streets: RURAL_STREETS },
  { code: 'LMHA', name: 'Xã Đinh Văn Lâm Hà', region: 'IV', weight: 8, streets: RURAL_STREETS },
  { code: 'DDUG', name: 'Xã Đơn Dương', region: 'IV', weight: 7, streets: RURAL_STREETS },
];

const OFFICER_DOMAIN = 'bhxh-demo.vn';
const EMPLOYER_DOMAIN = 'donvi-demo.vn';

const DIRECTOR = { officerId: 'GD01', name: 'Nguyễn Văn Thành' };
const SUPERVISORS = [
  { officerId: 'TP01', name: 'Trần Thị Thu Hà' },
  { officerId: 'TP02', name: 'Lê Quang Vinh' },
];
const OFFICER_NAMES = [
  'Phạm Minh Tuấn',
  'Hoàng Thị Ngọc Lan',
  'Đặng Văn Khoa',
  'Vũ Thị Hồng Nhung',
  'Bùi Đức Anh',
  'Huỳnh Thị Mỹ Linh',
  'Đỗ Quốc Bảo',
  'Ngô Thị Thanh Tâm',
];

const FAMILY_NAMES = [
  'Nguyễn',
  'Trần',
  'Lê',
  'Phạm',
  'Hoàng',
  'Huỳnh',
  'Phan',
  'Vũ',
  'Võ',
  'Đặng',
  'Bùi',
  'Đỗ',
  'Hồ',
  'Ngô',
  'Dương',
  'Lý',
];
// Middle and given names by gender, so a head is "Nguyễn Văn Hùng" or "Trần Thị Mai", never a mix.
const MALE_NAMES = {
  middle: ['Văn', 'Hữu', 'Đức', 'Minh', 'Quốc', 'Thanh', 'Xuân', 'Công'],
  given: [
    'An',
    'Bình',
    'Cường',
    'Dũng',
    'Hải',
    'Hùng',
    'Khánh',
    'Long',
    'Nam',
    'Phúc',
    'Quân',
    'Sơn',
    'Tuấn',
    'Việt',
    'Thắng',
    'Trung',
  ],
};
const FEMALE_NAMES = {
  middle: ['Thị', 'Ngọc', 'Thu', 'Kim', 'Thanh', 'Hoài', 'Mỹ', 'Bích'],
  given: [
    'Giang',
    'Hà',
    'Hạnh',
    'Hoa',
    'Hương',
    'Lan',
    'Linh',
    'Mai',
    'Nga',
    'Phương',
    'Tâm',
    'Thảo',
    'Trang',
    'Yến',
    'Nhung',
    'Vân',
  ],
};

function personName(rng: Rng): string {
  const names = rng.chance(0.5) ? MALE_NAMES : FEMALE_NAMES;
  return `${rng.pick(FAMILY_NAMES)} ${rng.pick(names.middle)} ${rng.pick(names.given)}`;
}

type EmployerKind = 'TNHH' | 'CP' | 'HTX' | 'MAM_NON';

const KINDS: readonly { value: EmployerKind; weight: number }[] = [
  { value: 'TNHH', weight: 55 },
  { value: 'CP', weight: 22 },
  { value: 'HTX', weight: 13 },
  { value: 'MAM_NON', weight: 10 },
];

const KIND_PREFIX: Record<EmployerKind, string> = {
  TNHH: 'Công ty TNHH',
  CP: 'Công ty Cổ phần',
  HTX: 'Hợp tác xã',
  MAM_NON: 'Trường Mầm non',
};

const HEAD_TITLES: Record<EmployerKind, readonly string[]> = {
  TNHH: ['Giám đốc', 'Giám đốc', 'Giám đốc', 'Tổng Giám đốc'],
  CP: ['Tổng Giám đốc', 'Chủ tịch HĐQT', 'Giám đốc'],
  HTX: ['Giám đốc', 'Chủ tịch HĐQT'],
  MAM_NON: ['Hiệu trưởng'],
};

const COMPANY_TRADES = [
  'Cà phê',
  'Chè',
  'Rau sạch',
  'Hoa',
  'Dâu tây',
  'Du lịch',
  'Khách sạn',
  'Xây dựng',
  'Vận tải',
  'Thực phẩm',
  'Nông sản',
  'Dệt lụa',
  'Thương mại',
  'Cơ khí',
  'Dược liệu',
  'Atiso',
];
const BRANDS = [
  'Langbiang',
  'Cầu Đất',
  'Hoàng Long',
  'Thung Lũng Vàng',
  'Đồi Thông',
  'Hồ Xuân Hương',
  'Đại Ninh',
  'Tuyền Lâm',
  'Prenn',
  'Cao Nguyên Xanh',
  'Phương Nam',
  'Minh Phát',
  'Thành Công',
  'An Khang',
  'Hưng Thịnh',
  'Tân Tiến',
  'Sao Mai',
  'Bình Minh',
  'Đức Long',
  'Phú Quý',
];
const COOPERATIVE_TRADES = ['Nông nghiệp', 'Rau hoa', 'Cà phê', 'Chè', 'Dịch vụ nông nghiệp', 'Vận tải'];
const SCHOOL_NAMES = [
  'Hoa Hồng',
  'Hoa Mai',
  'Sơn Ca',
  'Họa Mi',
  'Măng Non',
  'Tuổi Thơ',
  'Hoa Sen',
  'Ánh Dương',
  'Bé Ngoan',
];

// ---------------------------------------------------------------------------------------------------------
// Small helpers

const pad = (value: number, width: number): string => String(value).padStart(width, '0');

function roundTo(value: number, step: number): number {
  return Math.round(value / step) * step;
}

/** ASCII slug for e-mail addresses: strip Vietnamese diacritics (đ is a letter, not a mark). */
function ascii(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '');
}

/** "Nguyễn Thị Ngọc Lan" -> "lan.ntn": the usual Vietnamese work e-mail pattern. */
function mailbox(name: string): string {
  const words = name.split(' ');
  const given = ascii(words[words.length - 1] ?? name);
  const initials = words
    .slice(0, -1)
    .map((word) => ascii(word).charAt(0))
    .join('');
  return `${given}.${initials}`;
}

/** Employer code like the BHXH "mã đơn vị": two letters, four digits, a letter; the letter extends the range. */
function employerIdFor(index: number): string {
  return `TS${pad((index % 9999) + 1, 4)}${String.fromCharCode(65 + Math.floor(index / 9999))}`;
}

/** A payment date in `month` on or after day `fromDay`; banks do not book on Sundays, so use the Saturday. */
function dayInMonth(rng: Rng, month: string, fromDay: number, toDay?: number): string {
  const last = Number(lastDayOf(month).slice(8, 10));
  const day = rng.int(Math.min(fromDay, last), Math.min(toDay ?? last, last));
  let date = `${month}-${pad(day, 2)}`;
  if (new Date(`${date}T00:00:00Z`).getUTCDay() === 0) {
    if (day > fromDay) date = isoFromDay(dayNumber(date) - 1);
    else if (day < Math.min(toDay ?? last, last)) date = isoFromDay(dayNumber(date) + 1);
  }
  return date;
}

function addDays(isoDate: string, days: number): string {
  return isoFromDay(dayNumber(isoDate) + days);
}

// ---------------------------------------------------------------------------------------------------------
// Behaviour plan: exact counts from shares, so a 300-employer province always shows every behaviour.

interface EmployerPlan {
  behaviour: Behaviour;
  noEmail: boolean;
  adjustment: 'none' | 'correction' | 'refund';
  malformed?: 'negative-wage' | 'impossible-date' | 'unknown-fund';
  /** Chronic debtors with many workers and large arrears. */
  heavyDebtor: boolean;
}

function planBehaviours(count: number, rng: Rng): EmployerPlan[] {
  const malformed = Math.min(3, Math.floor(count / 10));
  const pension = count >= 100 ? 2 : count >= 10 ? 1 : 0;
  const shares: [Behaviour, number][] = [
    ['slightly-late', 0.25],
    ['chronic-arrears', 0.08],
    ['overpayment', 0.04],
    ['stopped-paying', 0.05],
  ];
  const labels: Behaviour[] = [];
  for (let i = 0; i < malformed; i++) labels.push('malformed');
  for (let i = 0; i < pension; i++) labels.push('pension-suspension');
  for (const [behaviour, share] of shares) {
    const n = Math.round(count * share);
    for (let i = 0; i < n && labels.length < count; i++) labels.push(behaviour);
  }
  while (labels.length < count) labels.push('on-time');
  rng.shuffle(labels);

  const plans: EmployerPlan[] = labels.map((behaviour) => ({
    behaviour,
    noEmail: false,
    adjustment: 'none',
    heavyDebtor: false,
  }));
  // Orthogonal traits are dealt over a second shuffle of the indices.
  const order = rng.shuffle(plans.map((_, index) => index));
  const noEmail = Math.max(1, Math.round(count * 0.03));
  for (const index of order.slice(0, noEmail)) (plans[index] as EmployerPlan).noEmail = true;
  // Adjustments go to on-time payers: they pay them, so the corrections show on otherwise clean accounts.
  const onTime = order.filter((index) => plans[index]?.behaviour === 'on-time');
  const corrections = Math.max(1, Math.round(count * 0.02));
  onTime.slice(0, corrections).forEach((index) => ((plans[index] as EmployerPlan).adjustment = 'correction'));
  const refund = onTime[corrections];
  if (refund !== undefined) (plans[refund] as EmployerPlan).adjustment = 'refund';
  const chronic = order.filter((index) => plans[index]?.behaviour === 'chronic-arrears');
  chronic.slice(0, Math.max(1, Math.round(chronic.length / 6))).forEach((index) => {
    (plans[index] as EmployerPlan).heavyDebtor = true;
  });
  const malformedOnes = order.filter((index) => plans[index]?.behaviour === 'malformed');
  malformedOnes.forEach((index, n) => {
    (plans[index] as EmployerPlan).malformed = (
      ['negative-wage', 'impossible-date', 'unknown-fund'] as const
    )[n % 3];
  });
  return plans;
}

// ---------------------------------------------------------------------------------------------------------
// Payroll simulation

interface Worker {
  id: string;
  wage: number;
  bhtn: boolean;
  /** Public pay-scale coefficient: wage = coefficient x reference level in force (schools). */
  coefficient?: number;
  /** Declared wage frozen (under-declaration, foreign experts on contract): no raise. */
  frozen: boolean;
  step: number;
}

interface PayrollSimulation {
  payrolls: Payroll[];
  /** Worker ids present in each period, for retroactive corrections. */
  workers: Worker[][];
}

function simulatePayroll(
  rng: Rng,
  kind: EmployerKind,
  region: Region,
  plan: EmployerPlan,
  periods: readonly string[],
): PayrollSimulation {
  const lastPeriod = periods[periods.length - 1] as string;
  // The highest regional minimum of the window: ordinary wages stay above it in every period.
  const floor = valueAt(DEFAULT_POLICY.regionalMinimumWage, firstDayOf(lastPeriod))[region];
  const lowestMinimum = valueAt(DEFAULT_POLICY.regionalMinimumWage, firstDayOf(periods[0] as string))[region];

  let headcount: number;
  if (plan.heavyDebtor) headcount = rng.int(100, 300);
  else if (kind === 'CP') headcount = rng.chance(0.15) ? rng.int(80, 300) : rng.int(15, 80);
  else if (kind === 'MAM_NON') headcount = rng.int(8, 35);
  else if (kind === 'HTX') headcount = rng.int(3, 30);
  else headcount = rng.chance(0.05) ? rng.int(80, 200) : rng.int(3, 60);

  let sequence = 0;
  const hire = (): Worker => {
    const id = `NV${pad(++sequence, 3)}`;
    if (kind === 'MAM_NON') {
      const coefficient = rng.int(210, 450) / 100;
      return { id, wage: 0, bhtn: true, coefficient, frozen: false, step: 1 };
    }
    const u = rng.next();
    const step = rng.chance(0.7) ? 100_000 : 1_000;
    // Skewed towards the lower end: most workers earn 5-12 million, few reach 25 million.
    const wage = Math.max(floor, roundTo(4_500_000 + u * u * 20_500_000, step));
    return { id, wage, bhtn: true, frozen: false, step };
  };

  const workers: Worker[] = [];
  for (let i = 0; i < headcount; i++) workers.push(hire());
  // The head of the unit earns more; some above the 20 x reference level cap.
  const head = workers[0] as Worker;
  if (kind !== 'MAM_NON') {
    head.wage = rng.chance(kind === 'CP' ? 0.5 : 0.12)
      ? roundTo(rng.int(52_000_000, 95_000_000), 1_000_000)
      : roundTo(rng.int(15_000_000, 40_000_000), 500_000);
    head.step = 500_000;
  } else {
    head.coefficient = 4.98;
  }
  // Foreign experts (no unemployment insurance) in some joint-stock companies.
  if (kind === 'CP' && rng.chance(0.35)) {
    for (let i = 1; i <= Math.min(rng.int(1, 3), workers.length - 1); i++) {
      const worker = workers[i] as Worker;
      worker.bhtn = false;
      worker.frozen = true;
      worker.wage = roundTo(rng.int(30_000_000, 70_000_000), 1_000_000);
    }
  }
  // A handful of employers declare someone below the regional minimum (possible under-declaration).
  if (kind !== 'MAM_NON' && workers.length > 3 && rng.chance(0.03)) {
    const worker = workers[workers.length - 1] as Worker;
    worker.wage = roundTo(lowestMinimum - rng.int(100_000, 600_000), 10_000);
    worker.frozen = true;
  }

  const churn = 0.008 + rng.next() * 0.017;
  const growth = plan.behaviour === 'stopped-paying' ? 0.5 : 0.75 + rng.next() * 0.55;
  const raise = 1.03 + rng.next() * 0.05;
  const payrolls: Payroll[] = [];
  const present: Worker[][] = [];
  periods.forEach((period, k) => {
    if (k > 0) {
      for (let i = workers.length - 1; i >= 1; i--) {
        if (workers.length > 3 && rng.chance(churn)) workers.splice(i, 1);
      }
      const expected = workers.length * churn * growth;
      const hires = Math.floor(expected) + (rng.chance(expected % 1) ? 1 : 0);
      for (let i = 0; i < hires; i++) workers.push(hire());
      if (period.endsWith('-01')) {
        for (const worker of workers) {
          if (!worker.frozen && worker.coefficient === undefined) {
            worker.wage = roundTo(worker.wage * raise, worker.step);
          }
        }
      }
    }
    const referenceLevel = valueAt(DEFAULT_POLICY.referenceLevel, firstDayOf(period));
    payrolls.push({
      period,
      employees: workers.map((worker) => ({
        id: worker.id,
        insuredWage:
          worker.coefficient === undefined ? worker.wage : Math.round(worker.coefficient * referenceLevel),
        bhtn: worker.bhtn,
      })),
    });
    present.push([...workers]);
  });
  return { payrolls, workers: present };
}

// ---------------------------------------------------------------------------------------------------------
// The generator

interface Context {
  asOf: string;
  periods: string[];
  nextRef: () => string;
}

export function generateDemoProvince(options: DemoProvinceOptions = {}): DemoProvince {
  const { employers: count = 300, seed = 42, asOf = '2026-11-22', months = 14 } = options;
  if (!Number.isInteger(count) || count < 1)
    throw new RangeError(`employers must be a positive integer: ${count}`);
  if (!Number.isInteger(months) || months < 1)
    throw new RangeError(`months must be a positive integer: ${months}`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(asOf) || isoFromDay(dayNumber(asOf)) !== asOf) {
    throw new RangeError(`asOf must be a date YYYY-MM-DD: ${asOf}`);
  }

  const lastPeriod = lastClosedPeriod(asOf);
  const periods = Array.from({ length: months }, (_, k) => addMonths(lastPeriod, k - months + 1));
  let refCounter = 0;
  const ctx: Context = { asOf, periods, nextRef: () => `UNC-${pad(++refCounter, 6)}` };

  const officers = buildOfficers();
  const fieldOfficers = officers.filter((officer) => officer.role === 'OFFICER');
  const officerOf = assignOfficers(fieldOfficers);

  const planRng = new Rng(mulberry32(seed));
  const plans = planBehaviours(count, planRng);
  const employers: EmployerItem[] = [];
  const ledgerRows: LedgerRow[] = [];
  const names = new Set<string>();
  const communeWeights = COMMUNES.map((commune) => ({ value: commune, weight: commune.weight }));

  plans.forEach((plan, index) => {
    const rng = streamFor(seed, index);
    const commune = rng.weighted(communeWeights);
    const kind = rng.weighted(KINDS);
    const employerId = employerIdFor(index);
    const employer: EmployerItem = {
      employerId,
      name: uniqueName(rng, kind, commune, names),
      region: commune.region,
      reducedAccidentRate: rng.chance(0.1),
      headName: personName(rng),
      headTitle: rng.pick(HEAD_TITLES[kind]),
      address: `${rng.int(1, 250)} ${rng.pick(commune.streets)}, ${commune.name}, tỉnh Lâm Đồng`,
      partition: `X-${commune.code}`,
      communeName: commune.name,
      officerId: officerOf.get(commune.code) as string,
      behaviour: plan.behaviour,
    };
    if (!plan.noEmail) employer.email = `ketoan.${employerId.toLowerCase()}@${EMPLOYER_DOMAIN}`;
    employers.push(employer);

    const terms: EmployerTerms = {
      region: employer.region,
      reducedAccidentRate: employer.reducedAccidentRate,
    };
    const simulation = simulatePayroll(rng, kind, employer.region, plan, periods);
    const charges = simulation.payrolls.map((payroll) => chargePayroll(DEFAULT_POLICY, terms, payroll));
    ledgerRows.push(...buildLedger(rng, ctx, employerId, terms, plan, simulation, charges));
  });

  const partitions: PartitionItem[] = COMMUNES.map((commune) => ({
    partition: `X-${commune.code}`,
    name: commune.name,
    employerCount: employers.filter((employer) => employer.partition === `X-${commune.code}`).length,
  }));
  return { partitions, officers, employers, ledgerRows };
}

function buildOfficers(): OfficerItem[] {
  const email = (name: string): string => `${mailbox(name)}@${OFFICER_DOMAIN}`;
  const officers: OfficerItem[] = [
    { officerId: DIRECTOR.officerId, name: DIRECTOR.name, email: email(DIRECTOR.name), role: 'DIRECTOR' },
  ];
  for (const supervisor of SUPERVISORS) {
    officers.push({
      ...supervisor,
      email: email(supervisor.name),
      role: 'SUPERVISOR',
      supervisorId: DIRECTOR.officerId,
    });
  }
  OFFICER_NAMES.forEach((name, i) => {
    officers.push({
      officerId: `CB${pad(i + 1, 2)}`,
      name,
      email: email(name),
      role: 'OFFICER',
      supervisorId: (SUPERVISORS[i < OFFICER_NAMES.length / 2 ? 0 : 1] as { officerId: string }).officerId,
    });
  });
  return officers;
}

/** Each commune to one officer, largest communes first to the least loaded officer: balanced workloads. */
function assignOfficers(officers: readonly OfficerItem[]): Map<string, string> {
  const load = new Map(officers.map((officer) => [officer.officerId, 0]));
  const byCommune = new Map<string, string>();
  for (const commune of [...COMMUNES].sort((a, b) => b.weight - a.weight || a.code.localeCompare(b.code))) {
    let best = officers[0] as OfficerItem;
    for (const officer of officers) {
      if ((load.get(officer.officerId) ?? 0) < (load.get(best.officerId) ?? 0)) best = officer;
    }
    byCommune.set(commune.code, best.officerId);
    load.set(best.officerId, (load.get(best.officerId) ?? 0) + commune.weight);
  }
  return byCommune;
}

function uniqueName(rng: Rng, kind: EmployerKind, commune: Commune, taken: Set<string>): string {
  let base: string;
  if (kind === 'MAM_NON') base = `${KIND_PREFIX[kind]} ${rng.pick(SCHOOL_NAMES)}`;
  else if (kind === 'HTX') base = `${KIND_PREFIX[kind]} ${rng.pick(COOPERATIVE_TRADES)} ${rng.pick(BRANDS)}`;
  else base = `${KIND_PREFIX[kind]} ${rng.pick(COMPANY_TRADES)} ${rng.pick(BRANDS)}`;
  // Real registers disambiguate by place, then by number.
  const place = commune.name.replace(/^(Phường|Xã) /, '').replace(/ – .*/, '');
  let name = base;
  if (taken.has(name)) name = `${base} ${place}`;
  for (let n = 2; taken.has(name); n++) name = `${base} ${place} ${n}`;
  taken.add(name);
  return name;
}

// ---------------------------------------------------------------------------------------------------------
// Ledger: payroll rows plus the payments each behaviour makes

function buildLedger(
  rng: Rng,
  ctx: Context,
  employerId: string,
  terms: EmployerTerms,
  plan: EmployerPlan,
  simulation: PayrollSimulation,
  charges: readonly PeriodCharge[],
): LedgerRow[] {
  const { periods, asOf } = ctx;
  const rows: LedgerRow[] = simulation.payrolls.map((payroll) => ({
    employerId,
    entryKey: `PAYROLL#${payroll.period}`,
    type: 'PAYROLL',
    period: payroll.period,
    employees: payroll.employees.map(({ id, insuredWage, bhtn }) =>
      bhtn ? { id, insuredWage } : { id, insuredWage, bhtn: false as const },
    ),
  }));
  const payments: PaymentRow[] = [];
  // Nothing dated after the demo's "today" exists yet.
  const pay = (date: string, amount: number): void => {
    if (date > asOf || amount <= 0) return;
    const ref = ctx.nextRef();
    payments.push({ employerId, entryKey: `PAYMENT#${date}#${ref}`, type: 'PAYMENT', date, amount, ref });
  };
  /** Pays in the month after the period, from the 10th (after the notice) to the deadline. */
  const payOnTime = (period: string, amount: number): void => {
    const month = addMonths(period, 1);
    if (amount >= 20_000_000 && rng.chance(0.1)) {
      // Large payers sometimes split the transfer over two payment orders.
      const first = roundTo(amount / 2, 1_000_000);
      pay(dayInMonth(rng, month, 10, 20), first);
      pay(dayInMonth(rng, month, 21), amount - first);
    } else {
      pay(dayInMonth(rng, month, 10), amount);
    }
  };

  const last = periods.length - 1;
  switch (plan.behaviour) {
    case 'on-time':
    case 'malformed':
      charges.forEach((charge) => payOnTime(charge.period, charge.total));
      break;
    case 'slightly-late':
      charges.forEach((charge) => {
        if (rng.chance(0.55))
          pay(addDays(lastDayOf(addMonths(charge.period, 1)), rng.int(5, 40)), charge.total);
        else payOnTime(charge.period, charge.total);
      });
      break;
    case 'overpayment':
      // Pays a round sum above the charge every month: the surplus builds a credit.
      charges.forEach((charge) => {
        const extra = Math.max(500_000, roundTo(charge.total * (0.05 + rng.next() * 0.2), 100_000));
        payOnTime(charge.period, Math.ceil((charge.total + extra) / 1_000_000) * 1_000_000);
      });
      break;
    case 'stopped-paying': {
      const stopAt = Math.max(1, periods.length - rng.int(3, 5));
      charges.forEach((charge, k) => {
        if (k < stopAt) payOnTime(charge.period, charge.total);
      });
      break;
    }
    case 'chronic-arrears':
      // Irregular part payments, usually a month late, now and then a catch-up: the debt grows.
      charges.forEach((charge) => {
        const roll = rng.next();
        const skip = plan.heavyDebtor ? 0.5 : 0.3;
        if (roll < skip) return;
        const fraction = plan.heavyDebtor
          ? 0.1 + rng.next() * 0.3
          : roll > 0.92
            ? 1.2 + rng.next() * 0.5
            : 0.3 + rng.next() * 0.5;
        pay(
          dayInMonth(rng, addMonths(charge.period, 2), 1),
          Math.max(1_000_000, roundTo(charge.total * fraction, 100_000)),
        );
      });
      break;
    case 'pension-suspension':
      rows.push(...pensionSuspension(rng, employerId, periods, charges, payOnTime, pay));
      break;
  }

  if (plan.adjustment === 'correction')
    rows.push(...correction(rng, ctx, employerId, terms, simulation, pay));
  if (plan.adjustment === 'refund') rows.push(refund(rng, ctx, employerId, simulation));

  // A day past the end of a short month ('2026-02-30', February first), keyed as it was typed.
  const shortMonth = (row: PaymentRow) => Number(lastDayOf(periodOf(row.date)).slice(8, 10)) < 31;
  const badPayment =
    plan.malformed === 'impossible-date'
      ? (payments.find((row) => row.date.slice(5, 7) === '02') ?? payments.find(shortMonth))
      : undefined;
  if (badPayment) {
    const month = periodOf(badPayment.date);
    badPayment.date = `${month}-${pad(Number(lastDayOf(month).slice(8, 10)) + 1, 2)}`;
    badPayment.entryKey = `PAYMENT#${badPayment.date}#${badPayment.ref}`;
  } else if (plan.malformed === 'unknown-fund' && last > 0) {
    // An adjustment booked to "BHXH", the scheme's name, not one of its funds: the import's typo.
    const period = periods[last - 1]!;
    const date = `${periods[last]!}-05`;
    rows.push({
      employerId,
      entryKey: `ADJUSTMENT#${date}#DC-${employerId}-${period}-BHXH`,
      type: 'ADJUSTMENT',
      date,
      period,
      fund: 'BHXH' as Fund,
      amount: 250_000,
    } satisfies AdjustmentRow);
  } else if (plan.malformed) {
    // A sign typed into the latest payroll (also the fallback when no payment fits): the employer paid the
    // right amount, the row is wrong.
    const payroll = rows[last] as PayrollRow;
    const employee = payroll.employees[
      rng.int(0, payroll.employees.length - 1)
    ] as PayrollRow['employees'][number];
    employee.insuredWage = -employee.insuredWage;
  }
  return [...rows, ...payments];
}

/** Legal HT_TT suspension of six months: pays everything else meanwhile, makes HT_TT up the month after. */
function pensionSuspension(
  rng: Rng,
  employerId: string,
  periods: readonly string[],
  charges: readonly PeriodCharge[],
  payOnTime: (period: string, amount: number) => void,
  pay: (date: string, amount: number) => void,
): PensionSuspensionRow[] {
  const last = periods.length - 1;
  const length = Math.min(6, periods.length);
  const end = Math.max(length - 1, last - rng.int(2, 4));
  const from = periods[end - length + 1] as string;
  const to = periods[end] as string;
  let suspended = 0;
  charges.forEach((charge) => {
    if (charge.period >= from && charge.period <= to) {
      suspended += charge.funds.HT_TT;
      payOnTime(charge.period, charge.total - charge.funds.HT_TT);
    } else {
      payOnTime(charge.period, charge.total);
    }
  });
  // Made up by the last day of the month after the suspension ends (domain.md section 2).
  pay(dayInMonth(rng, addMonths(to, 1), 15), suspended);
  return [{ employerId, entryKey: `SUSPENSION#HT_TT#${from}`, type: 'PENSION_SUSPENSION', from, to }];
}

/**
 * A retroactive wage correction: one worker's wage for an earlier period was declared too low. The
 * per-fund amounts are the difference of two `chargePayroll` results, so they follow the policy exactly.
 * The employer pays it in the month it is posted.
 */
function correction(
  rng: Rng,
  ctx: Context,
  employerId: string,
  terms: EmployerTerms,
  simulation: PayrollSimulation,
  pay: (date: string, amount: number) => void,
): AdjustmentRow[] {
  const { periods, asOf } = ctx;
  if (periods.length < 4) return [];
  const k = rng.int(0, periods.length - 4);
  const payroll = simulation.payrolls[k] as Payroll;
  const target = rng.int(0, payroll.employees.length - 1);
  const delta = roundTo(rng.int(500_000, 3_000_000), 100_000);
  const corrected: Payroll = {
    period: payroll.period,
    employees: payroll.employees.map((employee, i) =>
      i === target ? { ...employee, insuredWage: employee.insuredWage + delta } : employee,
    ),
  };
  const before = chargePayroll(DEFAULT_POLICY, terms, payroll);
  const after = chargePayroll(DEFAULT_POLICY, terms, corrected);
  // Posted in a closed month, so its payment (within ten days) is already in the ledger.
  const latest = addMonths(periodOf(asOf), -1);
  let postMonth = addMonths(payroll.period, rng.int(2, 3));
  if (postMonth > latest) postMonth = latest;
  const date = dayInMonth(rng, postMonth, 1, 12);
  // Some corrections come from an inspection decision that sets its own due date.
  const dueDate = rng.chance(0.3) ? addDays(date, 15) : undefined;
  const rows: AdjustmentRow[] = [];
  const id = `DC-${employerId}-${payroll.period}`;
  for (const fund of FUNDS) {
    const amount = after.funds[fund] - before.funds[fund];
    if (amount === 0) continue;
    const row: AdjustmentRow = {
      employerId,
      entryKey: `ADJUSTMENT#${date}#${id}-${fund}`,
      type: 'ADJUSTMENT',
      date,
      period: payroll.period,
      fund,
      amount,
    };
    if (dueDate) row.dueDate = dueDate;
    rows.push(row);
  }
  const total = rows.reduce((sum, row) => sum + row.amount, 0);
  const day = Number(date.slice(8, 10));
  pay(dayInMonth(rng, periodOf(date), day + 3, day + 12), total);
  return rows;
}

/** A BHYT refund: a worker's health insurance was also paid elsewhere for one period (negative amount). */
function refund(rng: Rng, ctx: Context, employerId: string, simulation: PayrollSimulation): AdjustmentRow {
  const k = rng.int(0, Math.max(0, ctx.periods.length - 4));
  const payroll = simulation.payrolls[k] as Payroll;
  const employee = payroll.employees[
    rng.int(0, payroll.employees.length - 1)
  ] as Payroll['employees'][number];
  const on = firstDayOf(payroll.period);
  const cap = valueAt(DEFAULT_POLICY.capMultiple, on) * valueAt(DEFAULT_POLICY.referenceLevel, on);
  const rate = valueAt(DEFAULT_POLICY.rates, on).BHYT;
  let postMonth = addMonths(payroll.period, 2);
  if (firstDayOf(postMonth) > ctx.asOf) postMonth = periodOf(ctx.asOf);
  const date = dayInMonth(rng, postMonth, 1, Math.min(12, Number(ctx.asOf.slice(8, 10))));
  return {
    employerId,
    entryKey: `ADJUSTMENT#${date}#HT-${employerId}-${payroll.period}-BHYT`,
    type: 'ADJUSTMENT',
    date,
    period: payroll.period,
    fund: 'BHYT',
    amount: -applyRate(Math.min(employee.insuredWage, cap), rate.employerPcm + rate.employeePcm),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Writing to DynamoDB

export interface WriteOptions {
  /** BatchWrite requests in flight at once. */
  concurrency?: number;
  /** Attempts per batch while DynamoDB returns UnprocessedItems. */
  maxAttempts?: number;
  env?: NodeJS.ProcessEnv;
  /** Backoff before retry `attempt` (1-based), in ms; tests pass zero. */
  backoffMs?: (attempt: number) => number;
}

export interface WriteReport {
  items: number;
  requests: number;
  retries: number;
  ms: number;
  itemsPerSecond: number;
}

type Item = Record<string, unknown>;

/**
 * Writes every item with BatchWrite, `concurrency` requests in flight. Partitions go last: they are the
 * "seeded" marker `isProvinceSeeded` looks at, so an interrupted seed is simply redone (puts are idempotent).
 */
export async function writeDemoProvince(
  dynamo: DynamoDBDocumentClient,
  data: DemoProvince,
  options: WriteOptions = {},
): Promise<WriteReport> {
  const { concurrency = 8, maxAttempts = 12, env = process.env, backoffMs } = options;
  const started = performance.now();
  const report = { items: 0, requests: 0, retries: 0 };

  const batches = (
    logical: LogicalTableName,
    items: readonly object[],
  ): { table: string; items: Item[] }[] => {
    const table = tableName(logical, env);
    const out: { table: string; items: Item[] }[] = [];
    for (let i = 0; i < items.length; i += MAX_BATCH_WRITE)
      out.push({ table, items: items.slice(i, i + MAX_BATCH_WRITE) as Item[] });
    return out;
  };

  const writeBatch = async ({ table, items }: { table: string; items: Item[] }): Promise<void> => {
    const written = await writeOneRequest(dynamo, table, items, { maxAttempts, backoffMs });
    report.items += written.items;
    report.requests += written.requests;
    report.retries += written.retries;
  };

  const runAll = async (queue: { table: string; items: Item[] }[]): Promise<void> => {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < queue.length) await writeBatch(queue[next++] as { table: string; items: Item[] });
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, queue.length)) }, worker));
  };

  await runAll([
    ...batches('Officers', data.officers),
    ...batches('Employers', data.employers),
    ...batches('Ledger', storedLedgerOf(data)),
  ]);
  await runAll(batches('Partitions', data.partitions));

  const ms = performance.now() - started;
  return { ...report, ms: Math.round(ms), itemsPerSecond: Math.round(report.items / (ms / 1000)) };
}

/** The Ledger items of the province as the table stores them (ledger.ts: keys for byPartition, compact payroll). */
export function storedLedgerOf(
  data: Pick<DemoProvince, 'employers' | 'ledgerRows'>,
): Record<string, unknown>[] {
  const partitionOf = new Map(data.employers.map((employer) => [employer.employerId, employer.partition]));
  return data.ledgerRows.flatMap((row) =>
    storedLedgerRows(row.employerId, partitionOf.get(row.employerId) ?? '', row),
  );
}

/** True once the Partitions table holds an item: written last, so it means the whole seed completed. */
export async function isProvinceSeeded(
  dynamo: DynamoDBDocumentClient,
  env: NodeJS.ProcessEnv = process.env,
): Promise<boolean> {
  const result = await dynamo.send(new ScanCommand({ TableName: tableName('Partitions', env), Limit: 1 }));
  return (result.Items?.length ?? 0) > 0;
}
