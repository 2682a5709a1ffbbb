/**
 * Published escalation policy versions (the Policies table), beside the built-in default. An administrator
 * publishes a version with `dondoc policy publish FILE`: validated here, immutable once written, in force
 * for cases opened from its effective date; a case keeps the version it was opened under.
 */
import { PutCommand, paginateScan, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { describeIssues } from '../c12/model.ts';
import { todayInVietnam } from '../shared/calendar.ts';
import { writeIf } from '../shared/conditional-write.ts';
import { tableName } from '../shared/tables.ts';
import { DEFAULT_ESCALATION_POLICY, STAGES, type EscalationPolicy } from './policy.ts';

const isoDate = z.iso.date({ error: 'must be a date YYYY-MM-DD' });
const role = z.enum(['OFFICER', 'SUPERVISOR', 'DIRECTOR']);
const whole = z.number().int('must be a whole number').nonnegative('must not be negative');

export const escalationPolicySchema = z
  .object({
    version: z.string().regex(/^[A-Za-z0-9._-]{1,40}$/, 'must be 1-40 letters, digits, dots, dashes'),
    effectiveFrom: isoDate,
    stages: z
      .array(
        z.object({
          stage: z.enum(STAGES),
          minDaysLate: whole,
          approvers: z.array(role).max(2, 'at most two approvers'),
          daysOfMonth: z
            .object({ from: z.number().int().min(1).max(31), to: z.number().int().min(1).max(31) })
            .optional(),
        }),
      )
      .refine((stages) => stages.map((s) => s.stage).join() === STAGES.join(), {
        message: `must list every stage once, in the ladder's order: ${STAGES.join(', ')}`,
      })
      .refine((stages) => stages.every((s, i) => i === 0 || s.minDaysLate >= stages[i - 1]!.minDaysLate), {
        message: 'days late must not decrease up the ladder',
      }),
    evasionAfterDaysLate: whole,
    approvalWorkingDays: z.number().int().min(1, 'at least one working day'),
    penalties: z
      .array(
        z.object({
          from: isoDate,
          instrument: z.string().min(1),
          confirmed: z.boolean(),
          latePayment: z.object({ minPcm: whole, maxPcm: whole, capVnd: whole }),
          evasion: z.object({ minVnd: whole, maxVnd: whole }),
          organisationMultiplier: z.number().int().min(1),
        }),
      )
      .min(1, 'at least one penalty scale'),
    criminalReferral: z.object({ minEvasionMonths: whole, minAmountVnd: whole, minWorkers: whole }),
    holidays: z.array(isoDate),
  })
  // Who decides each stage is the law's and the issue's (the officer; a supervisor; the officer and a
  // director, two people), not a threshold: a version may change when, never who.
  .superRefine((policy, context) => {
    for (const [index, rule] of policy.stages.entries()) {
      const required = DEFAULT_ESCALATION_POLICY.stages.find((s) => s.stage === rule.stage)!.approvers;
      if (rule.approvers.join() !== required.join())
        context.addIssue({
          code: 'custom',
          path: ['stages', index, 'approvers'],
          message: `${rule.stage} is decided by ${required.length ? required.join(' + ') : 'no one (automatic)'}; a policy version may change thresholds, not who approves`,
        });
    }
  }) satisfies z.ZodType<EscalationPolicy>;

export class PolicyRejectedError extends Error {
  override name = 'PolicyRejectedError';
}

export interface PublishedPolicy {
  policy: EscalationPolicy;
  publishedAt: string;
  publishedBy: string;
  note?: string | undefined;
}

const CACHE_MS = 60_000;
let cache: { until: number; versions: EscalationPolicy[] } | undefined;

export class PolicyStore {
  private readonly table = tableName('Policies');

  constructor(private readonly dynamo: DynamoDBDocumentClient) {}

  /** Every version in force at some date, oldest first (the built-in default first), cached a minute. */
  async versions(): Promise<EscalationPolicy[]> {
    if (cache && cache.until > Date.now()) return cache.versions;
    const published = (await this.published()).map((entry) => entry.policy);
    const versions = [DEFAULT_ESCALATION_POLICY, ...published].sort((a, b) =>
      a.effectiveFrom.localeCompare(b.effectiveFrom),
    );
    cache = { until: Date.now() + CACHE_MS, versions };
    return versions;
  }

  async published(): Promise<PublishedPolicy[]> {
    const items: Record<string, unknown>[] = [];
    const pages = paginateScan({ client: this.dynamo }, { TableName: this.table, ConsistentRead: true });
    for await (const page of pages) items.push(...(page.Items ?? []));
    return items
      .map((item) => ({
        policy: JSON.parse(String(item.document)) as EscalationPolicy,
        publishedAt: String(item.publishedAt),
        publishedBy: String(item.publishedBy),
        note: item.note as string | undefined,
      }))
      .sort((a, b) => a.policy.effectiveFrom.localeCompare(b.policy.effectiveFrom));
  }

  /**
   * Validates and writes a new version. Refused: an invalid document, a version that exists (versions are
   * immutable), or an effective date not after every published one's (the order of versions is history).
   */
  async publish(document: unknown, by: string, at: string, note?: string): Promise<EscalationPolicy> {
    const parsed = escalationPolicySchema.safeParse(document);
    if (!parsed.success) throw new PolicyRejectedError(`invalid policy:\n${describeIssues(parsed.error)}`);
    const policy = parsed.data;
    // Versions take effect in the future only: a case opened yesterday got the version in force yesterday,
    // and the history of which version was in force when must stay true.
    const today = todayInVietnam(new Date(at));
    if (policy.effectiveFrom <= today) {
      throw new PolicyRejectedError(`effectiveFrom ${policy.effectiveFrom} must be after today (${today})`);
    }
    forgetPolicyCache(); // another process may have published a minute ago
    const latest = (await this.versions()).at(-1)!;
    if (policy.effectiveFrom <= latest.effectiveFrom) {
      throw new PolicyRejectedError(
        `effectiveFrom ${policy.effectiveFrom} must be after ${latest.effectiveFrom}, when version ${latest.version} took effect`,
      );
    }
    if (policy.version === DEFAULT_ESCALATION_POLICY.version) {
      throw new PolicyRejectedError(`version ${policy.version} exists already; versions are immutable`);
    }
    const written = await writeIf(
      this.dynamo,
      new PutCommand({
        TableName: this.table,
        Item: {
          version: policy.version,
          kind: 'ESCALATION',
          effectiveFrom: policy.effectiveFrom,
          document: JSON.stringify(policy),
          publishedAt: at,
          publishedBy: by,
          ...(note ? { note } : {}),
        },
        ConditionExpression: 'attribute_not_exists(version)',
      }),
    );
    if (!written) {
      throw new PolicyRejectedError(`version ${policy.version} exists already; versions are immutable`);
    }
    cache = undefined;
    return policy;
  }
}

/** For tests that publish and read back in one process. */
export function forgetPolicyCache(): void {
  cache = undefined;
}
