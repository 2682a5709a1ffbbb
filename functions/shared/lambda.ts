/**
 * The Lambda glue every handler shares (middy: middleware first, handler last): structured logging with the
 * invocation context, and the event parsed with the handler's zod schema. A malformed event fails with
 * InvalidEventError naming the fields, which no Retry in the workflows matches.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context } from 'aws-lambda';
import type { z } from 'zod';
import { describeIssues } from '../c12/model.ts';
import { InvalidEventError } from './errors.ts';
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
      return handle(parsed.data, context);
    });
}
