/**
 * Collection service organisations (tổ chức dịch vụ thu) and what a review reads of them (domain.md
 * section 5): organisations with their registered communes, contract and committed targets; collectors with
 * their national ID; collection points; participants of voluntary BHXH and household BHYT; enrolments.
 *
 * Every record is checked on its own: a bad one is rejected with its reason and the rest of the review goes
 * on (`validateReviewData`).
 */
import { z } from 'zod';
import { monthSchema } from '../shared/schemas.ts';
import { describeIssues } from '../c12/model.ts';

const isoDate = z.iso.date({ error: 'must be a date YYYY-MM-DD' });
const code = z.string().trim().min(1, 'is required');
const count = z.number().int('must be a whole number').nonnegative('must not be negative');

/** What an organisation committed to, per product: new participants and renewals, per period. */
const targetsSchema = z.object({
  newBhxh: count,
  newBhyt: count,
  renewals: count,
});

export const organisationSchema = z.object({
  code,
  name: code,
  email: z.email({ error: 'must be an email address' }).optional(),
  communes: z.array(code).min(1, 'an organisation registers for at least one commune'),
  contract: z.object({ start: isoDate, end: isoDate }).refine((c) => c.start < c.end, {
    message: 'the contract must end after it starts',
  }),
  /** Committed targets: weekly, monthly and quarterly (Công văn 1788: down to each collector). */
  targets: z.object({ weekly: targetsSchema, monthly: targetsSchema, quarterly: targetsSchema }),
  /** The BHXH officer who manages the organisation and approves decisions about it by email link. */
  officerId: z.string().optional(),
  /** Each collector's monthly share of the organisation's targets, when set. */
  collectorMonthlyTarget: z.object({ newParticipants: count }).optional(),
});
export type Organisation = z.infer<typeof organisationSchema>;

export const collectorSchema = z.object({
  collectorId: code,
  nationalId: z
    .string({ error: 'national ID (CCCD) is required' })
    .trim()
    .regex(/^\d{12}$/, 'national ID (CCCD) must be 12 digits'),
  name: code,
  organisationCode: code,
  registeredAt: isoDate,
  /** The collection points the collector works at. */
  pointIds: z.array(code).default([]),
  /** Left the organisation (terminated or resigned): not reviewed after this date. */
  leftAt: isoDate.optional(),
});
export type Collector = z.infer<typeof collectorSchema>;

export const collectionPointSchema = z.object({
  pointId: code,
  organisationCode: code,
  commune: code,
  address: z.string().optional(),
  signboard: z.boolean({ error: 'signboard must be true or false' }),
});
export type CollectionPoint = z.infer<typeof collectionPointSchema>;

export const PRODUCTS = ['BHXH_TN', 'BHYT_HGD'] as const;
export type Product = (typeof PRODUCTS)[number];

/** Voluntary BHXH payment modes, in months per payment (Decree 134/2015 as amended). */
export const PAYMENT_MODES = [1, 3, 6, 12] as const;

export const participantSchema = z.discriminatedUnion('product', [
  z.object({
    participantId: code,
    name: code,
    product: z.literal('BHXH_TN'),
    managedBy: code,
    commune: code,
    paymentMode: z.union(
      PAYMENT_MODES.map((m) => z.literal(m)),
      { error: 'payment mode is 1, 3, 6 or 12 months' },
    ),
    /** The last month paid for (YYYY-MM). */
    paidThrough: monthSchema,
  }),
  z.object({
    participantId: code,
    name: code,
    product: z.literal('BHYT_HGD'),
    managedBy: code,
    commune: code,
    cardExpiry: isoDate,
  }),
]);
export type Participant = z.infer<typeof participantSchema>;

export const enrolmentSchema = z.object({
  enrolmentId: code,
  participantId: code,
  product: z.enum(PRODUCTS),
  kind: z.enum(['NEW', 'RENEWAL']),
  collectorId: code,
  organisationCode: code,
  commune: code,
  date: isoDate,
});
export type Enrolment = z.infer<typeof enrolmentSchema>;

const ENROLMENT_KEYS = Object.keys(enrolmentSchema.shape);
const ENROLMENT_CODES = [
  'enrolmentId',
  'participantId',
  'collectorId',
  'organisationCode',
  'commune',
] as const;
const ENROLMENT_PRODUCTS: ReadonlySet<unknown> = new Set(PRODUCTS);
const ENROLMENT_KINDS: ReadonlySet<unknown> = new Set(enrolmentSchema.shape.kind.options);
const isCode = (value: unknown) =>
  typeof value === 'string' && value.length > 0 && value.trim().length === value.length;

/**
 * True when `item` is already exactly what enrolmentSchema makes of it: its keys and no other, codes with
 * nothing to trim, a valid date. The review then keeps the record itself. A province holds millions of
 * enrolments: zod's copies took ~340 MB of heap and most of the review's validation time.
 * Anything else, valid or not, goes through the schema (which trims, strips and explains).
 */
export function isCanonicalEnrolment(item: unknown): item is Enrolment {
  // A plain object (as JSON and DynamoDB give): no key may come from elsewhere than the record itself.
  if (typeof item !== 'object' || item === null || Object.getPrototypeOf(item) !== Object.prototype)
    return false;
  const record = item as Record<string, unknown>;
  if (Object.keys(record).length !== ENROLMENT_KEYS.length) return false;
  for (const key of ENROLMENT_CODES) if (!isCode(record[key])) return false;
  return (
    ENROLMENT_PRODUCTS.has(record.product) &&
    ENROLMENT_KINDS.has(record.kind) &&
    typeof record.date === 'string' &&
    z.regexes.date.test(record.date)
  );
}

export interface ReviewData {
  /** The province's communes (the review checks each has a collection point). */
  communes: string[];
  organisations: Organisation[];
  collectors: Collector[];
  points: CollectionPoint[];
  participants: Participant[];
  enrolments: Enrolment[];
  /** The first month whose enrolments were read (the review's look-back); absent: the whole history. */
  enrolmentsFrom?: string | undefined;
  /**
   * Enrolments set aside, as far as they can be read: a collector's new participant set aside (its
   * participant's record is wrong, say) may still be real, so it holds back a termination proposal.
   */
  setAsideEnrolments?: SetAsideEnrolment[] | undefined;
}

export interface SetAsideEnrolment {
  collectorId: string;
  /** As recorded when it could be read ('NEW', 'RENEWAL'), else null. */
  kind: 'NEW' | 'RENEWAL' | null;
  /** The enrolment's date when it is a valid date, else null. */
  date: string | null;
}

function setAsideEnrolment(item: unknown): SetAsideEnrolment | undefined {
  const record = item as Record<string, unknown> | null;
  if (typeof record?.collectorId !== 'string' || !record.collectorId.trim()) return undefined;
  return {
    collectorId: record.collectorId.trim(),
    // Only what is surely a renewal is one; anything else may have been a new participant.
    kind: record.kind === 'RENEWAL' ? 'RENEWAL' : record.kind === 'NEW' ? 'NEW' : null,
    date: typeof record.date === 'string' && z.regexes.date.test(record.date) ? record.date : null,
  };
}

export type RecordKind = 'organisation' | 'collector' | 'point' | 'participant' | 'enrolment';

/** A record the review could not use, and why: listed in the run summary. */
export interface RejectedRecord {
  kind: RecordKind;
  id: string;
  reason: string;
}

const idOf: Record<RecordKind, string> = {
  organisation: 'code',
  collector: 'collectorId',
  point: 'pointId',
  participant: 'participantId',
  enrolment: 'enrolmentId',
};

function parseAll<T>(
  kind: RecordKind,
  schema: z.ZodType<T>,
  raw: readonly unknown[],
  rejected: RejectedRecord[],
  /** A check that a record is already what the schema would return, so it is kept as it is. */
  canonical?: (item: unknown) => item is T,
  onReject?: (item: unknown) => void,
): T[] {
  const kept: T[] = [];
  raw.forEach((item, index) => {
    if (canonical?.(item)) {
      kept.push(item);
      return;
    }
    const parsed = schema.safeParse(item);
    if (parsed.success) kept.push(parsed.data);
    else {
      onReject?.(item);
      const id = (item as Record<string, unknown> | null)?.[idOf[kind]];
      rejected.push({
        kind,
        id: typeof id === 'string' && id ? id : `#${index + 1}`,
        reason: describeIssues(parsed.error).replaceAll('\n', '; '),
      });
    }
  });
  return kept;
}

/**
 * Checks every record on its own, then what only the whole can tell: a commune nobody registered for the
 * province, an organisation nobody knows, an enrolment dated after the review, a participant or collector
 * that does not exist. Bad records are set aside with the reason; the rest is returned for review.
 */
export function validateReviewData(
  raw: {
    communes: readonly string[];
    organisations: readonly unknown[];
    collectors: readonly unknown[];
    points: readonly unknown[];
    participants: readonly unknown[];
    enrolments: readonly unknown[];
    /** The first month of enrolments read, when only the recent ones were. */
    enrolmentsFrom?: string | undefined;
  },
  asOf: string,
): { data: ReviewData; rejected: RejectedRecord[] } {
  const rejected: RejectedRecord[] = [];
  const communes = new Set(raw.communes);
  const reject = (kind: RecordKind, id: string, reason: string) => {
    rejected.push({ kind, id, reason });
    return false;
  };

  const organisations = parseAll('organisation', organisationSchema, raw.organisations, rejected).filter(
    (org) => {
      const unknown = org.communes.filter((commune) => !communes.has(commune));
      return (
        unknown.length === 0 || reject('organisation', org.code, `unknown commune ${unknown.join(', ')}`)
      );
    },
  );
  const orgCodes = new Set(organisations.map((org) => org.code));
  const knownOrg = (kind: RecordKind, id: string, orgCode: string) =>
    orgCodes.has(orgCode) || reject(kind, id, `unknown organisation ${orgCode}`);

  const collectors = parseAll('collector', collectorSchema, raw.collectors, rejected).filter((c) =>
    knownOrg('collector', c.collectorId, c.organisationCode),
  );
  const points = parseAll('point', collectionPointSchema, raw.points, rejected).filter(
    (point) =>
      knownOrg('point', point.pointId, point.organisationCode) &&
      (communes.has(point.commune) || reject('point', point.pointId, `unknown commune ${point.commune}`)),
  );
  const participants = parseAll('participant', participantSchema, raw.participants, rejected).filter(
    (p) =>
      knownOrg('participant', p.participantId, p.managedBy) &&
      (communes.has(p.commune) || reject('participant', p.participantId, `unknown commune ${p.commune}`)),
  );
  const collectorIds = new Set(collectors.map((c) => c.collectorId));
  const participantIds = new Set(participants.map((p) => p.participantId));
  const setAsideEnrolments: SetAsideEnrolment[] = [];
  const setAside = (item: unknown) => {
    const entry = setAsideEnrolment(item);
    if (entry) setAsideEnrolments.push(entry);
  };
  const rejectEnrolment = (e: Enrolment, reason: string) => {
    setAside(e);
    return reject('enrolment', e.enrolmentId, reason);
  };
  const enrolments = parseAll(
    'enrolment',
    enrolmentSchema,
    raw.enrolments,
    rejected,
    isCanonicalEnrolment,
    setAside,
  ).filter((e) => {
    if (e.date > asOf) return rejectEnrolment(e, `dated ${e.date}, after the review date ${asOf}`);
    if (!communes.has(e.commune)) return rejectEnrolment(e, `unknown commune ${e.commune}`);
    if (!collectorIds.has(e.collectorId))
      return rejectEnrolment(e, `unknown or rejected collector ${e.collectorId}`);
    if (!participantIds.has(e.participantId))
      return rejectEnrolment(e, `unknown or rejected participant ${e.participantId}`);
    if (!orgCodes.has(e.organisationCode))
      return rejectEnrolment(e, `unknown organisation ${e.organisationCode}`);
    return true;
  });
  return {
    data: {
      communes: [...communes],
      organisations,
      collectors,
      points,
      participants,
      enrolments,
      enrolmentsFrom: raw.enrolmentsFrom,
      setAsideEnrolments,
    },
    rejected,
  };
}
