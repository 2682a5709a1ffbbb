/**
 * The Lambda glue every handler shares (middy: middleware first, handler last): structured logging with the
 * invocation context, and the event parsed with the handler's zod schema. A malformed event fails with
 * InvalidEventError naming the fields, which no Retry in the workflows matches; an AWS service error
 * becomes a TransientError, which they all retry.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context } from 'aws-lambda';
import type { z } from 'zod';
import { describeIssues } from '../c12/model.ts';
import { InvalidEventError, TransientError } from './errors.ts';
import { logger } from './logger.ts';

export function defineHandler<Schema extends z.ZodType, Result>(
  schema: Schema,
  handle: (event: z.output<Schema>, context: Context) => Promise<Result>,
) {
  return middy<unknown, Result, Error, Context>()
    .use(injectLambdaContext(logger))
    .handler(async (event, context) => {
      const parsed = schema.safeParse(event);
      if (!parsed.success)
        throw new InvalidEventError(`invalid event: ${describeIssues(parsed.error).replaceAll('\n', '; ')}`);
      try {
        return await handle(parsed.data, context);
      } catch (error) {
        // An AWS service error that escapes a handler (throttling, a brief outage) is worth a retry, and
        // every step is idempotent: give it the one name the workflows retry.
        if (error instanceof Error && '$metadata' in error) {
          throw new TransientError(`${error.name}: ${error.message}`, { cause: error });
        }
        throw error;
      }
    });
}
