/**
 * From stored records to a statement request. Pure: the repository reads the items, this validates them.
 * Each ledger row is checked on its own so the reason names the row and the field; an employer with any
 * malformed row is quarantined (no notice from figures we cannot trust), and the rest of the run goes on.
 */
import { z } from 'zod';
import {
  adjustmentSchema,
  describeIssues,
  paymentSchema,
  payrollSchema,
  pensionSuspensionSchema,
  statementRequestSchema,
  type StatementRequest,
} from './model.ts';
import { REGIONS } from './policy.ts';

/** An employer as stored in the Employers table. */
export const employerRecordSchema = z.object({
  employerId: z.string().min(1),
  name: z.string().min(1),
  region: z.enum(REGIONS),
  reducedAccidentRate: z.boolean().default(false),
  /** Absent: the notice goes by post. */
  email: z.email().optional(),
  headName: z.string().default(''),
  headTitle: z.string().default('Thủ trưởng đơn vị'),
  address: z.string().default(''),
  partition: z.string().min(1),
  communeName: z.string().optional(),
  officerId: z.string().optional(),
});
export type EmployerRecord = z.output<typeof employerRecordSchema>;

const rowSchemas = {
  PAYROLL: payrollSchema,
  PAYMENT: paymentSchema,
  ADJUSTMENT: adjustmentSchema,
  PENSION_SUSPENSION: pensionSuspensionSchema,
} as const;

/** A stored ledger row: its key and type; the other fields are validated by the type's schema. */
export interface LedgerRow {
  entryKey: string;
  type?: unknown;
}

export class LedgerValidationError extends Error {
  override name = 'LedgerValidationError';
  constructor(readonly reasons: string[]) {
    super(reasons.join('; '));
  }
}

/** Build the statement request of `period`, or throw LedgerValidationError listing every bad row. */
export function ledgerToRequest(
  employer: EmployerRecord,
  rows: readonly LedgerRow[],
  period: string,
): StatementRequest {
  const reasons: string[] = [];
  const request = {
    employer: {
      id: employer.employerId,
      name: employer.name,
      region: employer.region,
      reducedAccidentRate: employer.reducedAccidentRate,
    },
    period,
    payroll: [] as unknown[],
    payments: [] as unknown[],
    adjustments: [] as unknown[],
    pensionSuspensions: [] as unknown[],
  };
  const targets = {
    PAYROLL: request.payroll,
    PAYMENT: request.payments,
    ADJUSTMENT: request.adjustments,
    PENSION_SUSPENSION: request.pensionSuspensions,
  };
  for (const row of rows) {
    const type = row.type as keyof typeof rowSchemas;
    const schema = rowSchemas[type];
    if (!schema) {
      reasons.push(`${row.entryKey}: unknown ledger row type ${JSON.stringify(row.type)}`);
      continue;
    }
    const parsed = schema.safeParse(row);
    if (!parsed.success) {
      reasons.push(
        ...describeIssues(parsed.error)
          .split('\n')
          .map((issue) => `${row.entryKey}: ${issue}`),
      );
      continue;
    }
    targets[type].push(parsed.data);
  }
  if (reasons.length > 0) throw new LedgerValidationError(reasons);
  const parsed = statementRequestSchema.safeParse(request);
  if (!parsed.success) throw new LedgerValidationError(describeIssues(parsed.error).split('\n'));
  return parsed.data;
}
