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

/**
 * The SDK's logger middleware builds a redacted copy of every request and response to hand to its logger,
 * even to the default no-op one: ~0.1 ms per notice for output nobody reads. Handlers log what matters
 * themselves (Powertools), and SDK errors still reach them as exceptions.
 */
function withoutSdkLogging<T extends { middlewareStack: { remove(name: string): boolean } }>(client: T): T {
  client.middlewareStack.remove('loggerMiddleware');
  return client;
}

export function awsClients(): AwsClients {
  clients ??= {
    dynamo: withoutSdkLogging(
      DynamoDBDocumentClient.from(withoutSdkLogging(new DynamoDBClient({})), {
        marshallOptions: { removeUndefinedValues: true },
      }),
    ),
    // Throttling is retried with backoff by the SDK's standard retry strategy; more attempts than the
    // default because SES quotas are per second and a monthly run sends at the quota.
    // cacheMiddleware: the middleware stack is resolved once per command class rather than on every send
    // (~70 µs a request here); nothing adds middleware to single commands. The document client refuses it
    // (its commands carry their own marshalling middleware), so DynamoDB resolves per send.
    ses: withoutSdkLogging(new SESv2Client({ maxAttempts: 8, cacheMiddleware: true })),
    // A request that hangs fails in 5 s rather than outlasting the approval page's Lambda (10 s), whose
    // answer to the approver depends on it.
    sfn: withoutSdkLogging(
      new SFNClient({ cacheMiddleware: true, requestHandler: { requestTimeout: 5_000 } }),
    ),
  };
  return clients;
}

/** For tests that rebuild clients after changing endpoint variables. */
export function resetAwsClients(): void {
  clients = undefined;
}

/** The ARN of the execution `name` of a state machine, as Step Functions forms it. */
export function executionArnOf(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}
