/** DynamoDB conditional writes: a failed condition is an answer ("someone got there first"), not an error. */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { DeleteCommand, DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';

export function isConditionFailure(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error as Error)?.name === 'ConditionalCheckFailedException'
  );
}

/** Sends a conditional write: true if it was written, false if its condition failed; other errors go on. */
export async function writeIf(
  dynamo: DynamoDBDocumentClient,
  command: PutCommand | UpdateCommand | DeleteCommand,
): Promise<boolean> {
  try {
    await dynamo.send(command as UpdateCommand);
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/**
 * Sends a conditional update that returns values (`ReturnValues` other than NONE): the attributes it returned
 * if it was written, undefined if its condition failed; other errors go on.
 */
export async function updateIf<Item = Record<string, unknown>>(
  dynamo: DynamoDBDocumentClient,
  command: UpdateCommand,
): Promise<Item | undefined> {
  try {
    const { Attributes } = await dynamo.send(command);
    return (Attributes ?? {}) as Item;
  } catch (error) {
    if (isConditionFailure(error)) return undefined;
    throw error;
  }
}
