/**
 * The employer's ledger as stored, and from stored rows to a statement request. Pure: the repository reads
 * the items, this validates them. Each ledger row is checked on its own so the reason names the row and the
 * field; an employer with any malformed row is quarantined (no notice from figures we cannot trust), and the
 * rest of the run goes on.
 *
 * Stored form (Ledger table, keyed partition + employerEntry = employerId#entryKey, see tables.ts): a
 * monthly batch reads its page of employers' ledgers as one key range. A payroll's employees are one string attribute, JSON of `[id, insuredWage]`
 * tuples (`[id, insuredWage, false]` outside BHTN): a list of maps would store the attribute names once per
 * employee, and cost a marshalling step per value on every read. A payroll above
 * MAX_EMPLOYEES_PER_PAYROLL_ROW employees is split over parts (PAYROLL#<period>, PAYROLL#<period>#2, ...)
 * so every item stays far below DynamoDB's 400 KB.
 */
import { z } from 'zod';
import {
  adjustmentSchema,
  earlierRegionsSchema,
  MAX_ROW_VND,
  MAX_ROW_WORDS,
  describeIssues,
  paymentSchema,
  pensionSuspensionSchema,
  type Adjustment,
  type Payment,
  type PensionSuspension,
  type Payroll,
  type StatementRequest,
} from './model.ts';
import { REGIONS } from './policy.ts';

/** An employer as stored in the Employers table. */
export const employerRecordSchema = z.object({
  // Mã đơn vị: letters and digits. Keys are built as employerId#..., so a '#' in it would be ambiguous.
  employerId: z.string().regex(/^[A-Za-z0-9]+$/, 'must be letters and digits (mã đơn vị)'),
  name: z.string().min(1),
  region: z.enum(REGIONS),
  earlierRegions: earlierRegionsSchema,
  reducedAccidentRate: z.boolean().default(false),
  /** Absent: the notice goes by post. */
  email: z.email().optional(),
  /** An organisation (company, cooperative, school) rather than an individual employer: fines double. */
  organisation: z.boolean().default(true),
  headName: z.string().default(''),
  headTitle: z.string().default('Thủ trưởng đơn vị'),
  address: z.string().default(''),
  partition: z.string().min(1),
  communeName: z.string().optional(),
  officerId: z.string().optional(),
});
export type EmployerRecord = z.output<typeof employerRecordSchema>;

/** Keeps each stored payroll part below ~250 KB even with long employee ids. */
export const MAX_EMPLOYEES_PER_PAYROLL_ROW = 8_000;

/** A ledger entry as the domain sees it (the seed builds these), before it is stored. */
export type LedgerEntry =
  | { type: 'PAYROLL'; entryKey: string; period: string; employees: readonly PayrollEmployee[] }
  | ({ type: 'PAYMENT'; entryKey: string } & Payment)
  | ({ type: 'ADJUSTMENT'; entryKey: string } & Adjustment)
  | ({ type: 'PENSION_SUSPENSION'; entryKey: string } & PensionSuspension);

export interface PayrollEmployee {
  id: string;
  insuredWage: number;
  bhtn?: boolean;
}

/** A stored ledger row: its keys and type; the other fields are validated by the type's rules. */
export interface LedgerRow {
  entryKey: string;
  type?: unknown;
  [field: string]: unknown;
}

export function employerEntryKey(employerId: string, entryKey: string): string {
  return `${employerId}#${entryKey}`;
}

export function encodeEmployees(employees: readonly PayrollEmployee[]): string {
  return JSON.stringify(
    employees.map((employee) =>
      employee.bhtn === false
        ? [employee.id, employee.insuredWage, false]
        : [employee.id, employee.insuredWage],
    ),
  );
}

/** The items to store for one ledger entry of an employer (a large payroll becomes several parts). */
export function storedLedgerRows(
  employerId: string,
  partition: string,
  entry: LedgerEntry,
): Record<string, unknown>[] {
  const keys = (entryKey: string) => ({
    employerId,
    entryKey,
    partition,
    employerEntry: employerEntryKey(employerId, entryKey),
  });
  if (entry.type !== 'PAYROLL') return [{ ...entry, ...keys(entry.entryKey) }];
  const rows: Record<string, unknown>[] = [];
  for (
    let start = 0, part = 1;
    start < entry.employees.length || part === 1;
    start += MAX_EMPLOYEES_PER_PAYROLL_ROW, part++
  ) {
    const entryKey = part === 1 ? entry.entryKey : `${entry.entryKey}#${part}`;
    const employees = entry.employees.slice(start, start + MAX_EMPLOYEES_PER_PAYROLL_ROW);
    rows.push({
      ...keys(entryKey),
      type: 'PAYROLL',
      period: entry.period,
      ...(part > 1 ? { part } : {}),
      employees: encodeEmployees(employees),
    });
  }
  return rows;
}

export class LedgerValidationError extends Error {
  override name = 'LedgerValidationError';
  constructor(readonly reasons: string[]) {
    super(reasons.join('; '));
  }
}

const PERIOD = /^\d{4}-(0[1-9]|1[0-2])$/;

/**
 * A payroll row's employees, checked by hand: this runs for every employee of every month of every
 * employer in a monthly run, where a zod object per employee cost more than the statement itself. The
 * messages follow the zod schemas' (model.ts), with the same paths.
 */
function decodeEmployees(value: unknown, issues: string[]): Payroll['employees'] {
  if (typeof value !== 'string') {
    issues.push('employees: must be the encoded employee list (a JSON string)');
    return [];
  }
  let tuples: unknown;
  try {
    tuples = JSON.parse(value);
  } catch {
    issues.push('employees: is not valid JSON');
    return [];
  }
  if (!Array.isArray(tuples)) {
    issues.push('employees: must be a list');
    return [];
  }
  const employees: Payroll['employees'] = new Array(tuples.length);
  for (let i = 0; i < tuples.length; i++) {
    const tuple: unknown = tuples[i];
    if (!Array.isArray(tuple) || tuple.length < 2 || tuple.length > 3) {
      issues.push(`employees[${i}]: must be [id, insuredWage] or [id, insuredWage, false]`);
      continue;
    }
    const [id, insuredWage, bhtn] = tuple as unknown[];
    if (typeof id !== 'string' || id.length === 0) issues.push(`employees[${i}].id: must not be empty`);
    if (typeof insuredWage !== 'number') issues.push(`employees[${i}].insuredWage: must be a number of VND`);
    else if (!Number.isSafeInteger(insuredWage))
      issues.push(`employees[${i}].insuredWage: must be whole VND`);
    else if (insuredWage < 0) issues.push(`employees[${i}].insuredWage: must not be negative`);
    else if (insuredWage > MAX_ROW_VND)
      issues.push(`employees[${i}].insuredWage: must not exceed ${MAX_ROW_WORDS}`);
    if (bhtn !== undefined && typeof bhtn !== 'boolean')
      issues.push(`employees[${i}].bhtn: must be a boolean`);
    employees[i] = { id: id as string, insuredWage: insuredWage as number, bhtn: bhtn !== false };
  }
  return employees;
}

const rowSchemas = {
  PAYMENT: paymentSchema,
  ADJUSTMENT: adjustmentSchema,
  PENSION_SUSPENSION: pensionSuspensionSchema,
} as const;

/** Build the statement request of `period`, or throw LedgerValidationError listing every bad row. */
export function ledgerToRequest(
  employer: EmployerRecord,
  rows: readonly LedgerRow[],
  period: string,
): StatementRequest {
  const reasons: string[] = [];
  const payrollByPeriod = new Map<string, { entryKey: string; parts: Map<number, Payroll['employees']> }>();
  const payments: Payment[] = [];
  const adjustments: Adjustment[] = [];
  const pensionSuspensions: PensionSuspension[] = [];

  for (const row of rows) {
    const at = (issue: string) => reasons.push(`${row.entryKey}: ${issue}`);
    if (row.type === 'PAYROLL') {
      const issues: string[] = [];
      const rowPeriod = row.period;
      if (typeof rowPeriod !== 'string' || !PERIOD.test(rowPeriod))
        issues.push('period: must be a month YYYY-MM');
      const part = row.part ?? 1;
      if (!Number.isInteger(part) || (part as number) < 1) issues.push('part: must be a whole number from 1');
      const employees = decodeEmployees(row.employees, issues);
      if (issues.length > 0) {
        issues.forEach(at);
        continue;
      }
      const payroll = payrollByPeriod.get(rowPeriod as string);
      if (!payroll) {
        payrollByPeriod.set(rowPeriod as string, {
          entryKey: row.entryKey,
          parts: new Map([[part as number, employees]]),
        });
      } else if (payroll.parts.has(part as number)) {
        at(`period: duplicate period ${rowPeriod as string}`);
      } else {
        payroll.parts.set(part as number, employees);
      }
      continue;
    }
    const type = row.type as keyof typeof rowSchemas;
    const schema = rowSchemas[type];
    if (!schema) {
      at(`unknown ledger row type ${JSON.stringify(row.type)}`);
      continue;
    }
    const parsed = schema.safeParse(row);
    if (!parsed.success) {
      describeIssues(parsed.error).split('\n').forEach(at);
      continue;
    }
    if (type === 'PAYMENT') payments.push(parsed.data as Payment);
    else if (type === 'ADJUSTMENT') adjustments.push(parsed.data as Adjustment);
    else pensionSuspensions.push(parsed.data as PensionSuspension);
  }
  // A payroll split over parts is whole only with every part 1..n: a missing one would understate it.
  const payroll: Payroll[] = [];
  for (const [payrollPeriod, { entryKey, parts }] of payrollByPeriod) {
    const only = parts.size === 1 ? parts.get(1) : undefined;
    if (only) {
      payroll.push({ period: payrollPeriod, employees: only });
      continue;
    }
    const numbers = [...parts.keys()].sort((a, b) => a - b);
    if (numbers.some((number, index) => number !== index + 1)) {
      reasons.push(
        `${entryKey}: part: the payroll of ${payrollPeriod} has parts ${numbers.join(', ')}, not 1..${numbers.length}`,
      );
      continue;
    }
    payroll.push({ period: payrollPeriod, employees: numbers.flatMap((number) => parts.get(number)!) });
  }
  if (reasons.length > 0) throw new LedgerValidationError(reasons);

  return {
    employer: {
      id: employer.employerId,
      name: employer.name,
      region: employer.region,
      earlierRegions: employer.earlierRegions,
      reducedAccidentRate: employer.reducedAccidentRate,
    },
    period,
    payroll,
    payments,
    adjustments,
    pensionSuspensions,
  };
}
