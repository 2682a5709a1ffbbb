/** Lambda handler for one batch of the monthly run (see ../batch.ts for what a batch does). */
import { z } from 'zod';
import { awsClients } from '../../shared/aws.ts';
import { appConfig } from '../../shared/config.ts';
import { SendRateLimiter, sendEmail } from '../../shared/email.ts';
import { defineHandler } from '../../shared/lambda.ts';
import { processBatch } from '../batch.ts';
import { composeNotice } from '../compose.ts';
import { C12Repository } from '../repository.ts';
import { leaseIdFor } from '../run.ts';

export const processBatchEventSchema = z.object({
  runId: z.string().min(1),
  period: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/),
  partition: z.string().min(1),
  batchSize: z.number().int().min(1).max(1000),
  cursor: z.string().nullable(),
});

/**
 * Notices claimed (SENDING) at once per batch: CHUNK_SIZE x CHUNKS_IN_FLIGHT. After a crash these are sent
 * again and reported as possible duplicates, so the product bounds them: 16 per batch, 64 for the four
 * partitions a run works on at once, against one claim write per 8 notices instead of one per notice.
 */
export const CHUNK_SIZE = 8;
export const CHUNKS_IN_FLIGHT = 2;

const config = appConfig();
// One limiter per process: batches of several partitions in one process share the quota.
const limiter = new SendRateLimiter(config.SES_MAX_SEND_RATE);

export const handler = defineHandler(processBatchEventSchema, async (event) => {
  const { dynamo, ses } = awsClients();
  const repository = new C12Repository(dynamo);
  return processBatch(
    {
      repository,
      renewLease: () =>
        repository.renewLease(leaseIdFor(event.period), event.runId, new Date().toISOString()),
      composeNotice: (employer, statement) => composeNotice(config, employer, statement),
      send: async (mail) => {
        await limiter.acquire();
        return sendEmail(ses, mail);
      },
      now: () => new Date().toISOString(),
      concurrency: 8,
      chunkSize: CHUNK_SIZE,
      chunksInFlight: CHUNKS_IN_FLIGHT,
    },
    event,
  );
});
