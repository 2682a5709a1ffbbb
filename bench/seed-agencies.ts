/**
 * Seeds a data folder for the agency review bench, in its own process: a province at the national scale of
 * the seeds (527 organisations, 53,000 collectors, 27,452 points, 3,321 communes, 500,000 participants, 12
 * months of enrolments), and the managing officer its decisions go to.
 *
 *   node --import tsx bench/seed-agencies.ts DIR AS_OF   (prints one JSON line)
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { AgencyRepository } from '../functions/agencies/repository.ts';
import { awsClients } from '../functions/shared/aws.ts';
import { generateAgencyProvince } from '../infra/local/seed-agencies.ts';
import { FREE_PORTS, startLocalStack } from '../infra/local/stack.ts';

export const NATIONAL = {
  organisations: 527,
  collectors: 53_000,
  points: 27_452,
  communes: 3_321,
  participants: 500_000,
};

const [dataDir, asOf] = process.argv.slice(2);
if (!dataDir || !asOf) throw new Error('usage: seed-agencies.ts DIR AS_OF');
const stack = await startLocalStack({ dataDir, ports: FREE_PORTS, resume: false });
try {
  const started = performance.now();
  const province = generateAgencyProvince({ asOf, ...NATIONAL });
  const items = await new AgencyRepository(awsClients().dynamo).writeProvince(province);
  await awsClients().dynamo.send(
    new PutCommand({
      TableName: 'Officers',
      Item: { officerId: 'TP01', name: 'Trần Thị Thu Hà', email: 'ha.ttt@bhxh-demo.vn', role: 'SUPERVISOR' },
    }),
  );
  console.log(
    JSON.stringify({
      seconds: (performance.now() - started) / 1000,
      items,
      enrolments: province.enrolments.length,
      organisations: province.organisations.length,
    }),
  );
} finally {
  await stack.stop();
}
