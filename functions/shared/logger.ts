import { Logger } from '@aws-lambda-powertools/logger';
import { InvokeStore } from '@aws/lambda-invoke-store';

// A runtime that runs invocations side by side says so with AWS_LAMBDA_MAX_CONCURRENCY and keeps each one's
// context in the InvokeStore; Powertools then refuses to log until that store exists. A process that only
// inherits the setting (a child of the embedded stack: a seed, the CLI) makes it here, with no invocation.
if (process.env.AWS_LAMBDA_MAX_CONCURRENCY) await InvokeStore.getInstanceAsync();

/** One structured logger for every handler (Powertools); the service name tags each line. */
export const logger = new Logger({ serviceName: 'dondoc' });
