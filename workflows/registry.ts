/**
 * What each workflow definition needs, declared once for both engines:
 * - the CDK workflows stack builds one Lambda function per entry, grants it the tables it lists, and
 *   substitutes its ARN for the `${Placeholder}` in the definition file;
 * - the embedded engine substitutes a local ARN and invokes the same handler module in-process.
 */
import type { LogicalTableName } from '../functions/shared/tables.ts';

export interface FunctionSpec {
  /** Handler module, relative to the repository root; it exports `handler`. */
  entry: string;
  /** Tables it reads and writes. */
  tables: LogicalTableName[];
  /** Tables it only reads (read actions only). */
  readsTables?: LogicalTableName[];
  /** Needs ses:SendEmail / ses:SendRawEmail. */
  sendsEmail: boolean;
  /** Needs states:DescribeExecution on its own workflow's executions (the period lease's holder check). */
  readsOwnExecutions?: boolean;
  /** Starts executions of these workflows (states:StartExecution). */
  startsWorkflows?: readonly string[];
  /**
   * Also reads the executions it starts (states:DescribeExecution on those workflows'): when a name it
   * starts under is taken, whether that run still goes.
   */
  readsStartedExecutions?: boolean;
  /** Completes its own workflow's waiting tasks (states:SendTaskSuccess / SendTaskFailure). */
  answersOwnTasks?: boolean;
  timeoutSeconds: number;
  memoryMb: number;
}

export interface WorkflowSpec {
  /** Definition file relative to the repository root. */
  definitionFile: string;
  /** `${Placeholder}` -> function; the placeholder names end in FunctionArn. */
  functions: Record<string, FunctionSpec>;
  /** Other `${Placeholder}` substitutions (numbers are substituted as JSON numbers). */
  values: Record<string, string | number>;
}

export const WORKFLOWS = {
  MonthlyC12Notices: {
    definitionFile: 'workflows/monthly-c12-notices.asl.json',
    functions: {
      PrepareRunFunctionArn: {
        entry: 'functions/c12/handlers/prepare-run.ts',
        tables: ['Partitions', 'Runs'],
        // The employers no listed partition reaches: one scan of the keys.
        readsTables: ['Employers'],
        sendsEmail: false,
        readsOwnExecutions: true,
        timeoutSeconds: 60,
        memoryMb: 512,
      },
      ProcessBatchFunctionArn: {
        entry: 'functions/c12/handlers/process-batch.ts',
        tables: ['Employers', 'Ledger', 'Notices', 'Cases', 'Runs', 'Policies'],
        sendsEmail: true,
        timeoutSeconds: 900,
        memoryMb: 1536,
      },
      SummarizeRunFunctionArn: {
        entry: 'functions/c12/handlers/summarize-run.ts',
        tables: ['Runs', 'Notices', 'Employers'],
        sendsEmail: true,
        timeoutSeconds: 300,
        memoryMb: 1024,
      },
    },
    values: {},
  },
  DebtEscalation: {
    definitionFile: 'workflows/debt-escalation.asl.json',
    functions: {
      PrepareSweepFunctionArn: {
        entry: 'functions/escalation/handlers/prepare-sweep.ts',
        tables: [],
        sendsEmail: false,
        timeoutSeconds: 30,
        memoryMb: 256,
      },
      EvaluateCasesFunctionArn: {
        entry: 'functions/escalation/handlers/evaluate-cases.ts',
        // Approvals: the link of an approval a case stopped waiting for is withdrawn.
        tables: ['Cases', 'Audit', 'Employers', 'Ledger', 'Officers', 'Policies', 'Approvals'],
        sendsEmail: true,
        startsWorkflows: ['CaseApproval'],
        readsStartedExecutions: true,
        timeoutSeconds: 900,
        memoryMb: 1024,
      },
    },
    values: {},
  },
  AgencyReview: {
    definitionFile: 'workflows/agency-review.asl.json',
    functions: {
      ReviewProvinceFunctionArn: {
        entry: 'functions/agencies/handlers/review-province.ts',
        tables: ['Agencies'],
        sendsEmail: false,
        startsWorkflows: ['AgencyDecision'],
        timeoutSeconds: 900,
        memoryMb: 3008,
      },
      SendReportsFunctionArn: {
        entry: 'functions/agencies/handlers/send-reports.ts',
        tables: ['Agencies'],
        sendsEmail: true,
        timeoutSeconds: 900,
        memoryMb: 1024,
      },
      SummarizeReviewFunctionArn: {
        entry: 'functions/agencies/handlers/summarize-review.ts',
        tables: ['Agencies'],
        sendsEmail: true,
        timeoutSeconds: 60,
        memoryMb: 512,
      },
    },
    values: {},
  },
  AgencyDecision: {
    definitionFile: 'workflows/agency-decision.asl.json',
    functions: {
      RequestDecisionFunctionArn: {
        entry: 'functions/agencies/handlers/request-decision.ts',
        tables: ['Agencies', 'Approvals', 'Officers', 'Audit'],
        sendsEmail: true,
        timeoutSeconds: 60,
        memoryMb: 256,
      },
      ApplyDecisionFunctionArn: {
        entry: 'functions/agencies/handlers/apply-decision.ts',
        tables: ['Agencies', 'Audit'],
        sendsEmail: true,
        timeoutSeconds: 60,
        memoryMb: 256,
      },
    },
    values: {},
  },
  DueLists: {
    definitionFile: 'workflows/d08a-due-lists.asl.json',
    functions: {
      PrepareDueListsFunctionArn: {
        entry: 'functions/agencies/handlers/prepare-due-lists.ts',
        tables: ['Agencies'],
        sendsEmail: false,
        timeoutSeconds: 30,
        memoryMb: 256,
      },
      SendDueListsFunctionArn: {
        entry: 'functions/agencies/handlers/send-due-lists.ts',
        tables: ['Agencies'],
        sendsEmail: true,
        timeoutSeconds: 900,
        memoryMb: 1024,
      },
    },
    values: {},
  },
  CaseApproval: {
    definitionFile: 'workflows/case-approval.asl.json',
    functions: {
      PlanApprovalFunctionArn: {
        entry: 'functions/escalation/handlers/plan-approval.ts',
        tables: ['Cases', 'Officers', 'Policies'],
        sendsEmail: false,
        timeoutSeconds: 30,
        memoryMb: 256,
      },
      RequestApprovalFunctionArn: {
        entry: 'functions/escalation/handlers/request-approval.ts',
        tables: ['Cases', 'Audit', 'Officers', 'Approvals', 'Policies'],
        sendsEmail: true,
        answersOwnTasks: true,
        timeoutSeconds: 60,
        memoryMb: 512,
      },
      GrantStageFunctionArn: {
        entry: 'functions/escalation/handlers/grant-stage.ts',
        tables: ['Cases', 'Audit', 'Officers', 'Employers'],
        sendsEmail: true,
        timeoutSeconds: 60,
        memoryMb: 512,
      },
      RecordOutcomeFunctionArn: {
        entry: 'functions/escalation/handlers/record-outcome.ts',
        tables: ['Cases', 'Audit'],
        sendsEmail: false,
        timeoutSeconds: 30,
        memoryMb: 256,
      },
    },
    values: {},
  },
} as const satisfies Record<string, WorkflowSpec>;

export type WorkflowName = keyof typeof WORKFLOWS;

/** The largest MaxConcurrency of the definition's Map states (1 when it has none): instances at once. */
export function maxMapConcurrency(definition: string): number {
  let max = 1;
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === 'object') {
      const record = value as Record<string, unknown>;
      if (record.Type === 'Map' && typeof record.MaxConcurrency === 'number') {
        max = Math.max(max, record.MaxConcurrency);
      }
      Object.values(record).forEach(visit);
    }
  };
  visit(JSON.parse(definition));
  return max;
}

/** Replace every `${Name}` in a definition; an unknown placeholder is an error, not a silent leftover. */
export function substituteDefinition(text: string, substitutions: Record<string, string | number>): string {
  return text.replace(/\$\{(\w+)\}/g, (_match, name: string) => {
    const value = substitutions[name];
    if (value === undefined) throw new Error(`No substitution for \${${name}} in workflow definition`);
    return String(value);
  });
}
