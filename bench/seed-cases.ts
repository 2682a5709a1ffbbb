/**
 * Seeds a data folder for the escalation sweep bench, in its own process: the demo province with its
 * payments left out (so every employer is in arrears and every case stays open), and an open case (stage
 * NONE, as the monthly run opens them) for every employer.
 *
 *   node --import tsx bench/seed-cases.ts DIR EMPLOYERS AS_OF   (prints one JSON line)
 */
import { awsClients } from '../functions/shared/aws.ts';
import { batchPut } from '../functions/shared/dynamo-batch.ts';
import { tableName } from '../functions/shared/tables.ts';
import { DEFAULT_ESCALATION_POLICY } from '../functions/escalation/policy.ts';
import { generateDemoProvince, writeDemoProvince } from '../infra/local/seed.ts';
import { FREE_PORTS, startLocalStack } from '../infra/local/stack.ts';

const [dataDir, employers, asOf] = process.argv.slice(2);
if (!dataDir || !employers || !asOf) throw new Error('usage: seed-cases.ts DIR EMPLOYERS AS_OF');
const stack = await startLocalStack({ dataDir, ports: FREE_PORTS, resume: false });
try {
  const started = performance.now();
  const generated = generateDemoProvince({ employers: Number(employers), asOf });
  const province = { ...generated, ledgerRows: generated.ledgerRows.filter((row) => row.type !== 'PAYMENT') };
  const written = await writeDemoProvince(awsClients().dynamo, province);
  const period = asOf.slice(0, 7);
  const cases = province.employers.map((employer) => ({
    employerId: employer.employerId,
    slot: 'CURRENT',
    caseId: `${employer.employerId}#${period}`,
    employerName: employer.name,
    status: 'OPEN',
    stage: 'NONE',
    policyVersion: DEFAULT_ESCALATION_POLICY.version,
    officerId: employer.officerId,
    openedAt: `${asOf}T00:00:00.000Z`,
    openedForPeriod: period,
    overduePrincipal: 0,
    overdueInterest: 0,
    owed: 0,
    interestOwed: 0,
    oldestOverdueDueDate: null,
    lastStatementPeriod: period,
    updatedAt: `${asOf}T00:00:00.000Z`,
    stageReachedAt: {},
    documents: {},
  }));
  const report = await batchPut(awsClients().dynamo, tableName('Cases'), cases);
  console.log(
    JSON.stringify({
      items: written.items + report.items,
      cases: cases.length,
      seconds: (performance.now() - started) / 1000,
    }),
  );
} finally {
  await stack.stop();
}
