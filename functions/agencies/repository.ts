/**
 * The Agencies table. Each organisation's records sit under its code, packed as JSON a few hundred to an item
 * (collectors, points, participants in parts, enrolments by month), so the review reads an organisation in
 * one query and the province in one query per organisation. Records are stored as given and validated by
 * the review, which sets a bad one aside with its reason.
 *
 * The review's results: REVIEW#<month> per organisation (KPIs, findings, the report's delivery) and
 * PROVINCE/REVIEW#<month> (the summary, once). Writes that a retry may repeat are conditional or idempotent.
 */
import {
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  paginateQuery,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { tableName } from '../shared/tables.ts';
import type { RejectedRecord } from './model.ts';
import type { Finding, OrganisationKpi } from './review.ts';
import { writeIf } from '../shared/conditional-write.ts';
import { chunked, groupBy } from '../shared/collections.ts';
import { batchGet, batchPut } from '../shared/dynamo-batch.ts';

import { MONTH_PATTERN } from '../shared/schemas.ts';

export const PROVINCE = 'PROVINCE';
const PARTICIPANTS_PER_ITEM = 1_500;
const ENROLMENTS_PER_ITEM = 1_500;
/** A claim older than this was left by an attempt that cannot still be running (Lambdas stop at 15 min). */
const CLAIM_STALE_MS = 16 * 60_000;

export interface RawProvince {
  communes: string[];
  communeNames?: Record<string, string>;
  organisations: readonly Record<string, unknown>[];
  collectors: readonly Record<string, unknown>[];
  points: readonly Record<string, unknown>[];
  participants: readonly Record<string, unknown>[];
  enrolments: readonly Record<string, unknown>[];
  /** Set when only the enrolments from this month on were read. */
  enrolmentsFrom?: string;
}

/** A province to write: records of any shape (they are validated when reviewed, not when stored). */
export interface ProvinceInput {
  communes: string[];
  communeNames?: Record<string, string>;
  organisations: readonly object[];
  collectors: readonly object[];
  points: readonly object[];
  participants: readonly object[];
  enrolments: readonly object[];
}

export interface StoredReview {
  organisationCode: string;
  month: string;
  kpi: OrganisationKpi;
  findings: Finding[];
  reviewedAt: string;
  report?:
    { status: 'SENDING' | 'SENT' | 'NO_EMAIL'; at: string; messageId?: string | undefined } | undefined;
}

export interface ReviewSummary {
  month: string;
  reviewedAt: string;
  organisations: number;
  findings: Record<string, number>;
  rejected: RejectedRecord[];
  totalRejected: number;
  ranking: { organisationCode: string; name: string; score: number }[];
  communesWithoutPoint: string[];
  breaches: Finding[];
  totalBreaches: number;
  summarySent?:
    | { status: 'SENDING' | 'SENT' | 'REJECTED'; at: string; messageId?: string | undefined; owner?: string }
    | undefined;
}

const text = (value: unknown) => (typeof value === 'string' ? value : '');

export class AgencyRepository {
  private readonly table = tableName('Agencies');

  constructor(private readonly dynamo: DynamoDBDocumentClient) {}

  /** Writes a whole province (the demo seed, an import): every organisation's records, packed. */
  async writeProvince(input: ProvinceInput): Promise<number> {
    const province = input as RawProvince;
    const items: Record<string, unknown>[] = [];
    const byOrg = (records: readonly Record<string, unknown>[], field: string) =>
      groupBy(records, (record) => text(record[field]) || '(none)');
    const codes = province.organisations.map((org) => text(org.code));
    items.push({
      organisationCode: PROVINCE,
      entry: 'COMMUNES',
      communes: JSON.stringify(province.communes),
      names: JSON.stringify(province.communeNames ?? {}),
    });
    // Records filed under a code no organisation has (a typo, an organisation missing from the list) are
    // stored under that code and listed, so the review reads them and sets them aside with the reason
    // instead of never seeing them (a second registration of a collector would escape the check).
    const known = new Set(codes);
    const strays = new Set<string>();
    const filed = <T>(groups: Map<string, T>) => {
      for (const code of groups.keys()) if (!known.has(code)) strays.add(code);
      return groups;
    };
    const collectors = filed(byOrg(province.collectors, 'organisationCode'));
    const points = filed(byOrg(province.points, 'organisationCode'));
    const participants = filed(byOrg(province.participants, 'managedBy'));
    const enrolments = filed(byOrg(province.enrolments, 'organisationCode'));
    items.push({
      organisationCode: PROVINCE,
      entry: 'ORGANISATIONS',
      codes: JSON.stringify(codes),
      strayCodes: JSON.stringify([...strays].sort()),
    });
    for (const org of province.organisations) {
      items.push({ organisationCode: text(org.code), entry: 'PROFILE', record: JSON.stringify(org) });
    }
    for (const [code, group] of collectors) {
      items.push({ organisationCode: code, entry: 'COLLECTORS', records: JSON.stringify(group) });
    }
    for (const [code, group] of points) {
      items.push({ organisationCode: code, entry: 'POINTS', records: JSON.stringify(group) });
    }
    for (const [code, group] of participants) {
      chunked(group, PARTICIPANTS_PER_ITEM).forEach((part, i) =>
        items.push({ organisationCode: code, entry: `PARTICIPANTS#${i + 1}`, records: JSON.stringify(part) }),
      );
    }
    for (const [code, group] of enrolments) {
      const byMonth = groupBy(group, (e) => text(e.date).slice(0, 7) || '0000-00');
      for (const [month, records] of byMonth) {
        // Parts of 1,500 keep every item far under DynamoDB's 400 KB.
        chunked(records, ENROLMENTS_PER_ITEM).forEach((part, i) =>
          items.push({
            organisationCode: code,
            entry: `ENROLMENTS#${month}#${String(i + 1).padStart(3, '0')}`,
            records: JSON.stringify(part),
          }),
        );
      }
    }
    await batchPut(this.dynamo, this.table, items);
    return items.length;
  }

  async organisationCodes(): Promise<string[]> {
    return (await this.filedCodes()).codes;
  }

  /** The organisations' codes, and the codes records were filed under that no organisation has. */
  private async filedCodes(): Promise<{ codes: string[]; strayCodes: string[] }> {
    const { Item } = await this.dynamo.send(
      new GetCommand({ TableName: this.table, Key: { organisationCode: PROVINCE, entry: 'ORGANISATIONS' } }),
    );
    if (!Item) return { codes: [], strayCodes: [] };
    return {
      codes: JSON.parse(String(Item.codes)) as string[],
      strayCodes: JSON.parse(String(Item.strayCodes ?? '[]')) as string[],
    };
  }

  async communes(): Promise<{ communes: string[]; names: Record<string, string> }> {
    const { Item } = await this.dynamo.send(
      new GetCommand({ TableName: this.table, Key: { organisationCode: PROVINCE, entry: 'COMMUNES' } }),
    );
    return Item
      ? {
          communes: JSON.parse(String(Item.communes)) as string[],
          names: JSON.parse(String(Item.names ?? '{}')) as Record<string, string>,
        }
      : { communes: [], names: {} };
  }

  /**
   * The province's records as stored (to be validated), with enrolments from `fromMonth` on. Organisations
   * are read a few at a time, each in one query.
   */
  async loadProvince(fromMonth: string): Promise<RawProvince & { communeNames: Record<string, string> }> {
    const [{ communes, names }, filed] = await Promise.all([this.communes(), this.filedCodes()]);
    const codes = [...filed.codes, ...filed.strayCodes];
    const province = {
      communes,
      communeNames: names,
      organisations: [] as Record<string, unknown>[],
      collectors: [] as Record<string, unknown>[],
      points: [] as Record<string, unknown>[],
      participants: [] as Record<string, unknown>[],
      enrolments: [] as Record<string, unknown>[],
      enrolmentsFrom: fromMonth,
    };
    const load = async (code: string) => {
      const pages = paginateQuery(
        { client: this.dynamo },
        {
          TableName: this.table,
          KeyConditionExpression: 'organisationCode = :code',
          ExpressionAttributeValues: { ':code': code },
        },
      );
      for await (const page of pages) {
        for (const item of page.Items ?? []) {
          const entry = String(item.entry);
          if (entry === 'PROFILE')
            province.organisations.push(JSON.parse(String(item.record)) as Record<string, unknown>);
          else if (entry === 'COLLECTORS')
            province.collectors.push(...(JSON.parse(String(item.records)) as Record<string, unknown>[]));
          else if (entry === 'POINTS')
            province.points.push(...(JSON.parse(String(item.records)) as Record<string, unknown>[]));
          else if (entry.startsWith('PARTICIPANTS#'))
            province.participants.push(...(JSON.parse(String(item.records)) as Record<string, unknown>[]));
          else if (entry.startsWith('ENROLMENTS#')) {
            // Filed by the month of their date; those without a readable one are always read, so the
            // review sets them aside by name (a collector's new participant among them holds back a
            // termination) instead of never seeing them.
            const month = entry.slice('ENROLMENTS#'.length, entry.lastIndexOf('#'));
            if (month >= fromMonth || !MONTH_PATTERN.test(month))
              province.enrolments.push(...(JSON.parse(String(item.records)) as Record<string, unknown>[]));
          }
        }
      }
    };
    for (const batch of chunked(codes, 8)) await Promise.all(batch.map(load));
    return province;
  }

  /** Stores an organisation's review for the month; a re-run keeps the report's delivery as it was. */
  async storeReview(review: Omit<StoredReview, 'report'>): Promise<void> {
    await this.dynamo.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { organisationCode: review.organisationCode, entry: `REVIEW#${review.month}` },
        UpdateExpression: 'SET kpi = :kpi, findings = :findings, reviewedAt = :at, #month = :month',
        ExpressionAttributeNames: { '#month': 'month' },
        ExpressionAttributeValues: {
          ':kpi': JSON.stringify(review.kpi),
          ':findings': JSON.stringify(review.findings),
          ':at': review.reviewedAt,
          ':month': review.month,
        },
      }),
    );
  }

  async review(organisationCode: string, month: string): Promise<StoredReview | undefined> {
    const { Item } = await this.dynamo.send(
      new GetCommand({
        TableName: this.table,
        Key: { organisationCode, entry: `REVIEW#${month}` },
        ConsistentRead: true,
      }),
    );
    if (!Item) return undefined;
    return {
      organisationCode,
      month,
      kpi: JSON.parse(String(Item.kpi)) as OrganisationKpi,
      findings: JSON.parse(String(Item.findings)) as Finding[],
      reviewedAt: String(Item.reviewedAt),
      report: Item.report as StoredReview['report'],
    };
  }

  /**
   * Claims the report for sending: true if this attempt should send it (never claimed, or claimed by an
   * attempt that stopped before recording the delivery: sent again, at worst twice); false once delivered.
   */
  async claimReport(organisationCode: string, month: string, at: string, owner: string): Promise<boolean> {
    return this.claim(
      { organisationCode, entry: `REVIEW#${month}` },
      'report',
      'attribute_exists(kpi) AND ',
      at,
      owner,
    );
  }

  /**
   * Claims a send: true if this attempt sends it. Never claimed; claimed by this same run (its retry); or
   * claimed longer ago than a Lambda can run by an attempt that stopped before recording the delivery (sent
   * again, at worst twice). False once delivered, or while another run is sending it.
   */
  private async claim(
    key: Record<string, string>,
    attribute: string,
    requires: string,
    at: string,
    owner: string,
  ): Promise<boolean> {
    const stale = new Date(Date.parse(at) - CLAIM_STALE_MS).toISOString();
    return writeIf(
      this.dynamo,
      new UpdateCommand({
        TableName: this.table,
        Key: key,
        UpdateExpression: 'SET #a = :claim',
        ConditionExpression:
          `${requires}(attribute_not_exists(#a) OR ` +
          '(#a.#s = :sending AND (#a.#owner = :owner OR #a.#at < :stale)))',
        ExpressionAttributeNames: { '#a': attribute, '#s': 'status', '#owner': 'owner', '#at': 'at' },
        ExpressionAttributeValues: {
          ':claim': { status: 'SENDING', at, owner },
          ':sending': 'SENDING',
          ':owner': owner,
          ':stale': stale,
        },
      }),
    );
  }

  async recordReport(
    organisationCode: string,
    month: string,
    report: NonNullable<StoredReview['report']>,
  ): Promise<void> {
    await this.dynamo.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { organisationCode, entry: `REVIEW#${month}` },
        UpdateExpression: 'SET report = :report',
        ExpressionAttributeValues: { ':report': report },
      }),
    );
  }

  async storeSummary(summary: Omit<ReviewSummary, 'summarySent'>): Promise<void> {
    await this.dynamo.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { organisationCode: PROVINCE, entry: `REVIEW#${summary.month}` },
        UpdateExpression: 'SET summary = :summary, reviewedAt = :at',
        ExpressionAttributeValues: { ':summary': JSON.stringify(summary), ':at': summary.reviewedAt },
      }),
    );
  }

  async summary(month: string): Promise<ReviewSummary | undefined> {
    const { Item } = await this.dynamo.send(
      new GetCommand({
        TableName: this.table,
        Key: { organisationCode: PROVINCE, entry: `REVIEW#${month}` },
        ConsistentRead: true,
      }),
    );
    if (!Item?.summary) return undefined;
    return {
      ...(JSON.parse(String(Item.summary)) as ReviewSummary),
      summarySent: Item.summarySent as ReviewSummary['summarySent'],
    };
  }

  /** Claims the administrators' summary for sending, as claimReport does for an organisation's report. */
  async claimSummary(month: string, at: string, owner: string): Promise<boolean> {
    return this.claim(
      { organisationCode: PROVINCE, entry: `REVIEW#${month}` },
      'summarySent',
      'attribute_exists(summary) AND ',
      at,
      owner,
    );
  }

  async recordSummary(month: string, sent: NonNullable<ReviewSummary['summarySent']>): Promise<void> {
    await this.dynamo.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { organisationCode: PROVINCE, entry: `REVIEW#${month}` },
        UpdateExpression: 'SET summarySent = :sent',
        ExpressionAttributeValues: { ':sent': sent },
      }),
    );
  }

  /** The organisations' profiles as stored (their name and email for the reports). */
  async loadProfiles(codes: readonly string[]): Promise<Record<string, unknown>[]> {
    const items = await batchGet(
      this.dynamo,
      this.table,
      codes.map((organisationCode) => ({ organisationCode, entry: 'PROFILE' })),
    );
    return items.map((item) => JSON.parse(String(item.record)) as Record<string, unknown>);
  }

  /** An organisation's participants as stored (records to validate). */
  async participants(organisationCode: string): Promise<Record<string, unknown>[]> {
    const { Items = [] } = await this.dynamo.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'organisationCode = :code AND begins_with(entry, :prefix)',
        ExpressionAttributeValues: { ':code': organisationCode, ':prefix': 'PARTICIPANTS#' },
      }),
    );
    return Items.flatMap((item) => JSON.parse(String(item.records)) as Record<string, unknown>[]);
  }

  /**
   * Claims the month's D08a-TS list of an organisation for sending (as claimReport): true if this attempt
   * sends it, false once it was delivered.
   */
  async claimDueList(organisationCode: string, month: string, at: string, owner: string): Promise<boolean> {
    return this.claim({ organisationCode, entry: `DUE#${month}` }, 'delivery', '', at, owner);
  }

  async recordDueList(
    organisationCode: string,
    month: string,
    delivery: { status: 'SENT' | 'NO_EMAIL'; at: string; due: number; messageId?: string | undefined },
  ): Promise<void> {
    await this.dynamo.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { organisationCode, entry: `DUE#${month}` },
        UpdateExpression: 'SET delivery = :delivery',
        ExpressionAttributeValues: { ':delivery': delivery },
      }),
    );
  }

  /** The decision waiting on a collector (one per collector and month): its approval and its state. */
  async decision(organisationCode: string, key: string): Promise<Record<string, unknown> | undefined> {
    const { Item } = await this.dynamo.send(
      new GetCommand({
        TableName: this.table,
        Key: { organisationCode, entry: `DECISION#${key}` },
        ConsistentRead: true,
      }),
    );
    return Item;
  }

  async putDecision(organisationCode: string, key: string, fields: Record<string, unknown>): Promise<void> {
    await this.dynamo.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { organisationCode, entry: `DECISION#${key}` },
        UpdateExpression: `SET ${Object.keys(fields)
          .map((name, i) => `#f${i} = :v${i}`)
          .join(', ')}`,
        ExpressionAttributeNames: Object.fromEntries(Object.keys(fields).map((name, i) => [`#f${i}`, name])),
        ExpressionAttributeValues: Object.fromEntries(
          Object.values(fields).map((value, i) => [`:v${i}`, value]),
        ),
      }),
    );
  }

  /**
   * Writes a collector's termination into the organisation's records: `leftAt`, by whom and why. The packed
   * item is rewritten only if nobody changed it meanwhile (read, change, conditional write, again if raced).
   * ALREADY_LEFT: the collector had left (resigned, or another decision), nothing written.
   */
  async terminateCollector(
    organisationCode: string,
    collectorId: string,
    termination: { leftAt: string; by: string; reason: string },
  ): Promise<'TERMINATED' | 'ALREADY_LEFT' | 'NOT_FOUND'> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const { Item } = await this.dynamo.send(
        new GetCommand({
          TableName: this.table,
          Key: { organisationCode, entry: 'COLLECTORS' },
          ConsistentRead: true,
        }),
      );
      if (!Item) return 'NOT_FOUND';
      const records = JSON.parse(String(Item.records)) as Record<string, unknown>[];
      const collector = records.find((record) => record.collectorId === collectorId);
      if (!collector) return 'NOT_FOUND';
      // Terminated already (a retry of this decision), or gone for another reason: nothing to write.
      if (collector.leftAt) return collector.terminatedBy === termination.by ? 'TERMINATED' : 'ALREADY_LEFT';
      Object.assign(collector, {
        leftAt: termination.leftAt,
        terminatedBy: termination.by,
        terminationReason: termination.reason,
      });
      // Written unless someone changed the item since it was read: then read again.
      if (
        await writeIf(
          this.dynamo,
          new PutCommand({
            TableName: this.table,
            Item: { ...Item, records: JSON.stringify(records) },
            ConditionExpression: '#r = :before',
            ExpressionAttributeNames: { '#r': 'records' },
            ExpressionAttributeValues: { ':before': Item.records },
          }),
        )
      )
        return 'TERMINATED';
    }
    throw new Error(
      `collectors of ${organisationCode} kept changing; termination of ${collectorId} not written`,
    );
  }

  /**
   * A contract review's answer, into the organisation's profile: the decisions list, and for an end the
   * contract marked not renewed (it runs to its end date, then the organisation stops collecting).
   */
  async recordContractDecision(
    organisationCode: string,
    decision: {
      key: string;
      choice: string;
      conditions?: string | undefined;
      by: string;
      at: string;
      contractEnd: string;
    },
  ): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const { Item } = await this.dynamo.send(
        new GetCommand({
          TableName: this.table,
          Key: { organisationCode, entry: 'PROFILE' },
          ConsistentRead: true,
        }),
      );
      if (!Item) throw new Error(`no organisation ${organisationCode}`);
      const profile = JSON.parse(String(Item.record)) as Record<string, unknown> & {
        contractDecisions?: { key: string }[];
        contract?: Record<string, unknown>;
      };
      const decisions = profile.contractDecisions ?? [];
      if (decisions.some((d) => d.key === decision.key)) return; // recorded already (a retry)
      profile.contractDecisions = [...decisions, decision];
      if (decision.choice === 'END') profile.contract = { ...profile.contract, renewal: 'NOT_RENEWED' };
      // Written unless someone changed the profile since it was read: then read again.
      const written = await writeIf(
        this.dynamo,
        new PutCommand({
          TableName: this.table,
          Item: { ...Item, record: JSON.stringify(profile) },
          ConditionExpression: '#r = :before',
          ExpressionAttributeNames: { '#r': 'record' },
          ExpressionAttributeValues: { ':before': Item.record },
        }),
      );
      if (written) return;
    }
    throw new Error(`profile of ${organisationCode} kept changing; contract decision not written`);
  }

  /** Whether a province was seeded (npm start seeds the demo one into an empty folder). */
  async isSeeded(): Promise<boolean> {
    return (await this.organisationCodes()).length > 0;
  }
}
