/**
 * DynamoDB access for approvals. An approval is decided once: the decision is a conditional write from
 * PENDING (and not past its expiry), so of any number of concurrent POSTs exactly one succeeds; only then is
 * the workflow told. Reassignment is the same kind of write, so a decision and a reassignment cannot both
 * win.
 */
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { tableName } from '../shared/tables.ts';
import type { ApprovalRecord } from './model.ts';
import { isConditionFailure, writeIf } from '../shared/conditional-write.ts';

export type DecideOutcome =
  { decided: true; record: ApprovalRecord } | { decided: false; current: ApprovalRecord | undefined };

export class ApprovalsRepository {
  private readonly table = tableName('Approvals');

  constructor(private readonly dynamo: DynamoDBDocumentClient) {}

  async create(record: ApprovalRecord): Promise<void> {
    await this.dynamo.send(
      new PutCommand({
        TableName: this.table,
        Item: record,
        ConditionExpression: 'attribute_not_exists(approvalId)',
      }),
    );
  }

  async get(approvalId: string): Promise<ApprovalRecord | undefined> {
    const { Item } = await this.dynamo.send(
      new GetCommand({ TableName: this.table, Key: { approvalId }, ConsistentRead: true }),
    );
    return Item as ApprovalRecord | undefined;
  }

  /**
   * PENDING, unexpired and the form's CSRF token -> the decision, in one conditional write that checks all
   * three; otherwise nothing changes and the current record is returned, for the caller to say why.
   */
  async decide(
    approvalId: string,
    decision: {
      state: 'APPROVED' | 'REJECTED';
      reason?: string | undefined;
      /** The option chosen, for a decision with options (checked against the record by the caller). */
      choice?: string | undefined;
      at: string;
      csrfToken: string;
    },
  ): Promise<DecideOutcome> {
    try {
      const { Attributes } = await this.dynamo.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { approvalId },
          UpdateExpression: 'SET #state = :decided, decidedAt = :at, decision = :decision',
          // A yes/no answer cannot decide an approval that offers options (the page shows only those).
          ConditionExpression: `#state = :pending AND expiresAt > :at AND csrfToken = :csrf${
            decision.choice ? '' : ' AND attribute_not_exists(subject.options)'
          }`,
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: {
            ':decided': decision.state,
            ':pending': 'PENDING',
            ':at': decision.at,
            ':csrf': decision.csrfToken,
            ':decision': {
              channel: 'EMAIL_LINK',
              ...(decision.reason ? { reason: decision.reason } : {}),
              ...(decision.choice ? { choice: decision.choice } : {}),
            },
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return { decided: true, record: Attributes as ApprovalRecord };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return { decided: false, current: await this.get(approvalId) };
    }
  }

  /**
   * The same approval, waited for again (after a reminder): the new task token and a new expiry. False when
   * it is no longer pending (decided meanwhile: the caller completes the new task with that decision).
   */
  async renew(approvalId: string, taskToken: string, expiresAt: string, at: string): Promise<boolean> {
    return writeIf(
      this.dynamo,
      new UpdateCommand({
        TableName: this.table,
        Key: { approvalId },
        UpdateExpression: 'SET taskToken = :token, expiresAt = :expires, reminderSentAt = :at',
        ConditionExpression: '#state = :pending',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: {
          ':token': taskToken,
          ':expires': expiresAt,
          ':at': at,
          ':pending': 'PENDING',
        },
      }),
    );
  }

  /**
   * A decision the workflow could not be told of, taken back (decided -> PENDING), so the approver's retry
   * decides again rather than finding it "already decided" while the workflow never hears of it. Only the
   * decision of `at` (not one made since, by a retry that got through). False if it is no longer that one.
   */
  async undecide(approvalId: string, state: 'APPROVED' | 'REJECTED', at: string): Promise<boolean> {
    return writeIf(
      this.dynamo,
      new UpdateCommand({
        TableName: this.table,
        Key: { approvalId },
        UpdateExpression: 'SET #state = :pending REMOVE decidedAt, decision',
        // Not one a workflow step has forwarded meanwhile (markForwarded).
        ConditionExpression: '#state = :decided AND decidedAt = :at AND attribute_not_exists(forwardedAt)',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':pending': 'PENDING', ':decided': state, ':at': at },
      }),
    );
  }

  /** A decision a workflow step is about to hand on (the reminder found it): it can no longer be taken back. */
  async markForwarded(approvalId: string, state: 'APPROVED' | 'REJECTED', at: string): Promise<boolean> {
    return writeIf(
      this.dynamo,
      new UpdateCommand({
        TableName: this.table,
        Key: { approvalId },
        UpdateExpression: 'SET forwardedAt = if_not_exists(forwardedAt, :at)',
        ConditionExpression: '#state = :state',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':state': state, ':at': at },
      }),
    );
  }

  /**
   * PENDING -> WITHDRAWN: the case no longer waits for this decision, so its link decides nothing. False if
   * it was no longer pending (decided or reassigned meanwhile).
   */
  async withdraw(approvalId: string, at: string, reason: string): Promise<boolean> {
    return writeIf(
      this.dynamo,
      new UpdateCommand({
        TableName: this.table,
        Key: { approvalId },
        UpdateExpression: 'SET #state = :withdrawn, withdrawnReason = :reason, decidedAt = :at',
        ConditionExpression: '#state = :pending',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: {
          ':withdrawn': 'WITHDRAWN',
          ':pending': 'PENDING',
          ':reason': reason,
          ':at': at,
        },
      }),
    );
  }

  /** PENDING -> REASSIGNED, naming the approval that replaces it: its link dies. False if no longer pending. */
  async reassign(approvalId: string, to: string, at: string): Promise<boolean> {
    return writeIf(
      this.dynamo,
      new UpdateCommand({
        TableName: this.table,
        Key: { approvalId },
        UpdateExpression: 'SET #state = :reassigned, reassignedTo = :to, decidedAt = :at',
        ConditionExpression: '#state = :pending',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: {
          ':reassigned': 'REASSIGNED',
          ':pending': 'PENDING',
          ':to': to,
          ':at': at,
        },
      }),
    );
  }
}
