/**
 * Seeds a data folder with the demo province for `npm run bench`, in its own process, so the measured run
 * starts from fresh processes on a seeded folder, as `npm start` does on a second start (the seed data
 * held in memory and the emulators' write-time caches do not count in the run's peak memory).
 *
 *   node --import tsx bench/seed-data.ts DIR EMPLOYERS AS_OF   (prints one JSON line: items, seconds)
 */
import { awsClients } from '../functions/shared/aws.ts';
import { generateDemoProvince, writeDemoProvince } from '../infra/local/seed.ts';
import { FREE_PORTS, startLocalStack } from '../infra/local/stack.ts';

const [dataDir, employers, asOf] = process.argv.slice(2);
if (!dataDir || !employers || !asOf) throw new Error('usage: seed-data.ts DIR EMPLOYERS AS_OF');
const stack = await startLocalStack({ dataDir, ports: FREE_PORTS, resume: false });
try {
  const started = performance.now();
  const written = await writeDemoProvince(
    awsClients().dynamo,
    generateDemoProvince({ employers: Number(employers), asOf }),
  );
  console.log(JSON.stringify({ ...written, seconds: (performance.now() - started) / 1000 }));
} finally {
  await stack.stop();
}
