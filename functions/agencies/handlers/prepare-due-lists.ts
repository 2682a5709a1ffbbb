/** First step of the monthly D08a-TS lists: the month they cover (next month unless given), and the batches. */
import { z } from 'zod';
import { monthSchema } from '../../shared/schemas.ts';
import { addMonths, todayInVietnam } from '../../shared/calendar.ts';
import { awsClients } from '../../shared/aws.ts';
import { defineHandler } from '../../shared/lambda.ts';
import { AgencyRepository } from '../repository.ts';

export const prepareDueListsEventSchema = z.object({
  input: z
    .object({
      /** The month whose payments the lists cover, YYYY-MM; default: the month after today's. */
      month: monthSchema.optional(),
      asOf: z.iso.date().optional(),
    })
    .default({}),
});

export const DUE_LIST_BATCH_SIZE = 25;

export const handler = defineHandler(prepareDueListsEventSchema, async (event) => {
  const month = event.input.month ?? addMonths((event.input.asOf ?? todayInVietnam()).slice(0, 7), 1);
  const codes = (await new AgencyRepository(awsClients().dynamo).organisationCodes()).sort();
  const batches: { month: string; organisationCodes: string[] }[] = [];
  for (let i = 0; i < codes.length; i += DUE_LIST_BATCH_SIZE) {
    batches.push({ month, organisationCodes: codes.slice(i, i + DUE_LIST_BATCH_SIZE) });
  }
  return { month, organisations: codes.length, batches };
});
