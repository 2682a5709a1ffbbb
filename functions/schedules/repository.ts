/**
 * Schedule records in the Schedules table: the CURRENT entry of each process, and one CHANGE#<version>
 * entry per change (who, when, why, before and after). A process never changed has no record and runs on
 * its default.
 */
import {
  GetCommand,
  PutCommand,
  QueryCommand,
  paginateScan,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { tableName } from '../shared/tables.ts';
import {
  PROCESS_IDS,
  StaleVersionError,
  defaultSchedule,
  type ProcessId,
  type ScheduleRecord,
} from './model.ts';
import { isConditionFailure } from '../shared/conditional-write.ts';

const CURRENT = 'CURRENT';
const changeKey = (version: number) => `CHANGE#${String(version).padStart(10, '0')}`;

export interface ScheduleChangeEntry {
  processId: ProcessId;
  version: number;
  at: string;
  by: string;
  reason: string;
  before: ScheduleRecord;
  after: ScheduleRecord;
}

function recordOf(item: Record<string, unknown>): ScheduleRecord {
  const { entry: _entry, ...record } = item;
  return record as unknown as ScheduleRecord;
}

export class ScheduleRepository {
  private readonly table = tableName('Schedules');

  constructor(private readonly dynamo: DynamoDBDocumentClient) {}

  /** Every process's schedule, in the registry's order, defaults for those never changed. */
  async list(): Promise<ScheduleRecord[]> {
    const stored = new Map<string, ScheduleRecord>();
    const pages = paginateScan(
      { client: this.dynamo },
      {
        TableName: this.table,
        FilterExpression: 'entry = :current',
        ExpressionAttributeValues: { ':current': CURRENT },
        ConsistentRead: true,
      },
    );
    for await (const page of pages)
      for (const item of page.Items ?? []) stored.set(String(item.processId), recordOf(item));
    return PROCESS_IDS.map((id) => stored.get(id) ?? defaultSchedule(id));
  }

  async get(processId: ProcessId): Promise<ScheduleRecord> {
    const { Item } = await this.dynamo.send(
      new GetCommand({ TableName: this.table, Key: { processId, entry: CURRENT }, ConsistentRead: true }),
    );
    return Item ? recordOf(Item) : defaultSchedule(processId);
  }

  /**
   * Writes `next` (version = before.version + 1) only if the stored version is still `before.version`;
   * then its change entry. A crash between the two loses the entry, never the change, and the record
   * itself names who changed it last and why.
   */
  async replace(before: ScheduleRecord, next: ScheduleRecord): Promise<void> {
    try {
      await this.dynamo.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...next, entry: CURRENT },
          ...(before.version === 0
            ? { ConditionExpression: 'attribute_not_exists(processId)' }
            : {
                ConditionExpression: 'version = :expected',
                ExpressionAttributeValues: { ':expected': before.version },
              }),
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const current = await this.get(next.processId);
      throw new StaleVersionError(
        `schedule ${next.processId} is at version ${current.version}, changed by ${current.updatedBy} at ` +
          `${current.updatedAt}; this change was made from version ${before.version}: reload and try again`,
      );
    }
    const entry: ScheduleChangeEntry = {
      processId: next.processId,
      version: next.version,
      at: next.updatedAt,
      by: next.updatedBy,
      reason: next.reason,
      before,
      after: next,
    };
    await this.dynamo.send(
      new PutCommand({ TableName: this.table, Item: { ...entry, entry: changeKey(next.version) } }),
    );
  }

  /** The changes of one schedule, newest first. */
  async history(processId: ProcessId, limit = 20): Promise<ScheduleChangeEntry[]> {
    const { Items } = await this.dynamo.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'processId = :id AND begins_with(entry, :change)',
        ExpressionAttributeValues: { ':id': processId, ':change': 'CHANGE#' },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return (Items ?? []).map(({ entry: _entry, ...rest }) => rest as unknown as ScheduleChangeEntry);
  }
}
