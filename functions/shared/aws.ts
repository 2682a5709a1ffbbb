/**
 * AWS clients, built once per process and shared by handlers and repositories.
 * Endpoints come from the standard AWS_ENDPOINT_URL_* variables (the embedded stack sets them), so no
 * handler knows where it runs.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SFNClient } from '@aws-sdk/client-sfn';

export interface AwsClients {
  dynamo: DynamoDBDocumentClient;
  ses: SESv2Client;
  sfn: SFNClient;
}

let clients: AwsClients | undefined;

export function awsClients(): AwsClients {
  clients ??= {
    dynamo: DynamoDBDocumentClient.from(new DynamoDBClient({}), {
      marshallOptions: { removeUndefinedValues: true },
    }),
    // Throttling is retried with backoff by the SDK's standard retry strategy; more attempts than the
    // default because SES quotas are per second and a monthly run sends at the quota.
    ses: new SESv2Client({ maxAttempts: 8 }),
    sfn: new SFNClient({}),
  };
  return clients;
}

/** For tests that rebuild clients after changing endpoint variables. */
export function resetAwsClients(): void {
  clients = undefined;
}
