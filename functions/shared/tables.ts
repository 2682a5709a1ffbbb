/**
 * DynamoDB tables, declared once: the CDK data stack and the embedded stack both create them from here.
 * Each table lists the access patterns it serves; keys are designed from those, not from the entities.
 *
 * Handlers read the physical table names from environment variables (`TABLE_<LOGICAL>`); in the cloud CDK
 * sets them, on the embedded stack they default to the logical name.
 */
export type AttributeType = 'S' | 'N';

export interface KeyDef {
  name: string;
  type: AttributeType;
}

export interface IndexDef {
  indexName: string;
  partitionKey: KeyDef;
  sortKey?: KeyDef;
}

export interface TableDef {
  logicalName: string;
  partitionKey: KeyDef;
  sortKey?: KeyDef;
  indexes: IndexDef[];
  accessPatterns: string[];
}

const S = (name: string): KeyDef => ({ name, type: 'S' });

export const TABLES = {
  Employers: {
    logicalName: 'Employers',
    partitionKey: S('employerId'),
    indexes: [{ indexName: 'byPartition', partitionKey: S('partition'), sortKey: S('employerId') }],
    accessPatterns: [
      'get an employer by mã đơn vị (employerId)',
      'page through the employers of one partition (commune) in key order: byPartition',
      'once a monthly run: scan the keys (employerId, partition, name) for employers outside every listed partition',
    ],
  },
  Partitions: {
    logicalName: 'Partitions',
    partitionKey: S('partition'),
    indexes: [],
    accessPatterns: ['list the partitions (communes) a monthly run fans out over: a small scan'],
  },
  Officers: {
    logicalName: 'Officers',
    partitionKey: S('officerId'),
    indexes: [],
    accessPatterns: ['get an officer (name, email, role, supervisor) by id'],
  },
  Ledger: {
    logicalName: 'Ledger',
    // Keyed by partition: the monthly run reads a page of a partition's employers at once, which is one
    // range of this table instead of a query per employer (or a GSI copy of every row). A commune's rows
    // are a few hundred thousand at most and are read and written far below one key's throughput.
    partitionKey: S('partition'),
    sortKey: S('employerEntry'),
    indexes: [],
    accessPatterns: [
      "an employer's whole ledger (payroll, payments, adjustments, suspensions): partition = <its partition> " +
        "AND begins_with(employerEntry, '<employerId>#'), strongly consistent",
      "the ledgers of a page of a partition's employers (ids first..last, a contiguous range) in a few " +
        "1 MB pages: employerEntry BETWEEN '<first>#' AND '<last>$' ('$' follows '#')",
      'employerEntry = <employerId>#<entryKey>; entryKey = PAYROLL#<period>[#<part>] | PAYMENT#<date>#<ref> | ' +
        'ADJUSTMENT#<date>#<id> | SUSPENSION#HT_TT#<from>. Moving an employer to another partition rewrites its rows.',
    ],
  },
  Notices: {
    logicalName: 'Notices',
    partitionKey: S('employerId'),
    sortKey: S('period'),
    // No index by period: a run's lists and counts are its own records (Runs), and every index entry would
    // cost a write per notice write.
    indexes: [],
    accessPatterns: [
      'the notice of employer#period, and of a page of employers (batch get): stored once per period',
      'notices of one employer, newest first',
    ],
  },
  Cases: {
    logicalName: 'Cases',
    partitionKey: S('employerId'),
    // An employer's latest case, open or closed, is its CURRENT slot; when a new episode opens, the closed
    // one moves to CLOSED#<caseId>. The case in progress is then a key, not a search: the monthly run opens
    // or refreshes it with one upsert, and the escalation reads it with one get.
    sortKey: S('slot'),
    indexes: [{ indexName: 'byStatus', partitionKey: S('status'), sortKey: S('employerId') }],
    accessPatterns: [
      "the employer's latest case: slot = CURRENT (its caseId = employerId#period-opened names it for good)",
      "an employer's earlier, closed cases: slot begins_with CLOSED#",
      'every case of a status (escalation sweep over OPEN cases): byStatus',
    ],
  },
  Approvals: {
    logicalName: 'Approvals',
    partitionKey: S('approvalId'),
    indexes: [],
    accessPatterns: [
      'the approval an email link names (approvalId, 144 random bits): get, then one conditional write ' +
        'PENDING -> APPROVED | REJECTED | REASSIGNED | WITHDRAWN (single use)',
    ],
  },
  Audit: {
    logicalName: 'Audit',
    partitionKey: S('caseId'),
    sortKey: S('entryKey'),
    indexes: [],
    accessPatterns: [
      "a case's trail, oldest first: query caseId (entryKey = <ISO instant>#<action>#<stage or id>, so a " +
        'repeated step rewrites its own entry)',
    ],
  },
  Policies: {
    logicalName: 'Policies',
    partitionKey: S('version'),
    indexes: [],
    accessPatterns: [
      'every published escalation policy version (a handful: a scan, cached a minute per process); ' +
        'a version is written once (conditional put) and never changed',
    ],
  },
  Agencies: {
    logicalName: 'Agencies',
    partitionKey: S('organisationCode'),
    sortKey: S('entry'),
    indexes: [],
    accessPatterns: [
      'one collection service organisation whole, in one query: PROFILE, COLLECTORS, POINTS, PARTICIPANTS#<n>, ' +
        'ENROLMENTS#<month> (records packed as JSON, a few hundred per item), and its REVIEW#<month>',
      'the province (organisationCode PROVINCE): its COMMUNES, the organisation list (ORGANISATIONS) and each ' +
        "month's review summary (REVIEW#<month>)",
    ],
  },
  Schedules: {
    logicalName: 'Schedules',
    partitionKey: S('processId'),
    sortKey: S('entry'),
    indexes: [],
    accessPatterns: [
      "every process's schedule (entry CURRENT; a handful: a scan), changed by a conditional write on its version",
      "a schedule's change history, newest first (entries CHANGE#<version>)",
    ],
  },
  Runs: {
    logicalName: 'Runs',
    partitionKey: S('runId'),
    sortKey: S('itemKey'),
    indexes: [],
    accessPatterns: [
      'a run and its batch records (counts, quarantined employers) in one query',
      'itemKey = RUN | BATCH#<partition>#<cursor> | BATCH#~unreached | QUARANTINE#<employerId> | ...',
    ],
  },
} as const satisfies Record<string, TableDef>;

export type LogicalTableName = keyof typeof TABLES;

/** Physical name of a table: `TABLE_<LOGICAL>` from the environment, or the logical name. */
export function tableName(logical: LogicalTableName, env: NodeJS.ProcessEnv = process.env): string {
  return env[`TABLE_${logical.toUpperCase()}`] ?? logical;
}
