/**
 * A workflow as the registry declares it: one function per `${...FunctionArn}` placeholder, each granted
 * exactly the tables (and SES) its entry lists, and a Standard state machine built from the very same
 * definition file the embedded engine runs, with the ARNs substituted by CloudFormation.
 */
import { readFileSync } from 'node:fs';
import { ArnFormat, Aws, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { TABLES, type LogicalTableName } from '../../functions/shared/tables.ts';
import { maxMapConcurrency, type FunctionSpec, type WorkflowSpec } from '../../workflows/registry.ts';
import { DondocFunction, NOTICE_FONTS } from './dondoc-function.ts';
import { fromRoot } from './paths.ts';
import { officeEnvironment, type OfficeSettings } from './office.ts';

/** What a function that sends email needs to know and may use. */
export interface EmailSettings {
  /** Who sends: named on every notice, with the account employers pay into. */
  office: OfficeSettings;
  senderEmail: string;
  adminEmails: string[];
  /** Told of every employer classed as evading (the evasion notice goes to them in copy). */
  evasionNoticeRecipients: string[];
  /** ARN of the sender's SES identity. */
  identityArn: string;
  configurationSetName: string;
  /** The SES account's maximum send rate, emails per second. */
  sendQuotaPerSecond: number;
  /** The front door that links in mail point at. */
  publicBaseUrl: string;
}

export interface DondocWorkflowProps {
  spec: WorkflowSpec;
  tables: Record<LogicalTableName, dynamodb.ITable>;
  email: EmailSettings;
}

const TABLE_READ_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:Scan',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DescribeTable',
];
const TABLE_WRITE_ACTIONS = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
];
const INDEX_ACTIONS = ['dynamodb:Query', 'dynamodb:Scan'];
const SES_SEND_ACTIONS = ['ses:SendEmail', 'ses:SendRawEmail'];

/** Every `${Name}` in a definition text, in order of first appearance. */
export function placeholdersOf(definition: string): string[] {
  return [...new Set([...definition.matchAll(/\$\{(\w+)\}/g)].map((match) => match[1] as string))];
}

/** The environment variable a handler reads a table's physical name from (see `tableName()`). */
export function tableEnvName(logical: LogicalTableName): string {
  return `TABLE_${logical.toUpperCase()}`;
}

export class DondocWorkflow extends Construct {
  readonly stateMachine: sfn.StateMachine;
  /** Keyed by the registry's placeholder name, e.g. `ProcessBatchFunctionArn`. */
  readonly functions: Record<string, DondocFunction> = {};
  /** The text CloudFormation receives, before substitution: exactly the file's content. */
  readonly definition: string;

  constructor(scope: Construct, id: string, props: DondocWorkflowProps) {
    super(scope, id);
    const { spec, tables, email } = props;

    this.definition = readFileSync(fromRoot(spec.definitionFile), 'utf8');

    // Named up front: a function that reads this workflow's executions is granted them by name, since
    // the state machine itself depends on the functions (their ARNs are in its definition).
    const stateMachineName = `dondoc-${id}`;
    const substitutions: Record<string, string> = {};
    for (const [placeholder, fnSpec] of Object.entries(spec.functions)) {
      const fn = this.buildFunction(
        placeholder.replace(/FunctionArn$/, ''),
        fnSpec,
        tables,
        email,
        stateMachineName,
      );
      this.functions[placeholder] = fn;
      substitutions[placeholder] = fn.function.functionArn;
    }
    for (const [placeholder, value] of Object.entries(spec.values))
      substitutions[placeholder] = String(value);

    // Fail the synth, not the deployment, when the file and the registry disagree (same rule as the
    // embedded engine's substituteDefinition: no silent leftovers, no unused entries).
    const used = placeholdersOf(this.definition);
    const missing = used.filter((name) => !(name in substitutions));
    const unused = Object.keys(substitutions).filter((name) => !used.includes(name));
    if (missing.length > 0 || unused.length > 0) {
      throw new Error(
        `${spec.definitionFile}: placeholders without substitution [${missing.join(', ')}], ` +
          `registry entries not in the file [${unused.join(', ')}]`,
      );
    }

    const logGroup = new logs.LogGroup(this, 'ExecutionLogs', {
      retention: logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName,
      stateMachineType: sfn.StateMachineType.STANDARD,
      // fromString, not fromFile: fromFile uploads an S3 asset, while the inline string keeps the file's
      // text in the template, where a test can compare it with the file the embedded engine runs.
      definitionBody: sfn.DefinitionBody.fromString(this.definition),
      definitionSubstitutions: substitutions,
      logs: {
        destination: logGroup,
        level: sfn.LogLevel.ALL,
        // Execution data would put task tokens (approval callbacks) and employer data into the log;
        // the architecture promises a token never appears in a log.
        includeExecutionData: false,
      },
      tracingEnabled: true,
    });

    // Invoke only the unqualified ARNs the definition names, instead of grantInvoke's `arn:*` wildcard.
    this.stateMachine.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['lambda:InvokeFunction'],
        resources: Object.values(this.functions).map((fn) => fn.function.functionArn),
      }),
    );

    Validations.of(this.stateMachine).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Only the actions CDK adds for logging to CloudWatch Logs (logs:CreateLogDelivery and friends, which AWS documents as requiring Resource *) and X-Ray tracing (xray:PutTraceSegments, PutTelemetryRecords, GetSamplingRules, GetSamplingTargets, no resource-level permissions) use Resource::*.',
    });
  }

  /** states:DescribeExecution on the executions of one state machine (named: it may be built later). */
  private mayDescribeExecutions(fn: DondocFunction, stateMachineName: string, reason: string): void {
    fn.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['states:DescribeExecution'],
        resources: [
          // Pseudo parameters, not formatArn: with a concrete env (cdk synth/deploy set the region) formatArn
          // writes the region out and the acknowledgement below, which names the ARN, would not match.
          `arn:${Aws.PARTITION}:states:${Aws.REGION}:${Aws.ACCOUNT_ID}:execution:${stateMachineName}:*`,
        ],
      }),
    );
    Validations.of(fn).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:${stateMachineName}:*]`,
      reason,
    });
  }

  private buildFunction(
    name: string,
    spec: FunctionSpec,
    tables: Record<LogicalTableName, dynamodb.ITable>,
    email: EmailSettings,
    stateMachineName: string,
  ): DondocFunction {
    const environment: Record<string, string> = {
      ...officeEnvironment(email.office),
      SENDER_EMAIL: email.senderEmail,
      ADMIN_EMAILS: email.adminEmails.join(','),
      EVASION_NOTICE_RECIPIENTS: email.evasionNoticeRecipients.join(','),
      SES_CONFIGURATION_SET: email.configurationSetName,
      // Where the links in mail point (the approval pages' function URL).
      PUBLIC_BASE_URL: email.publicBaseUrl,
    };
    // Each instance paces its own sends, and the workflow's Map runs this many at once: each gets its share.
    if (spec.sendsEmail) {
      environment.SES_MAX_SEND_RATE = String(email.sendQuotaPerSecond / maxMapConcurrency(this.definition));
    }
    for (const logical of [...spec.tables, ...(spec.readsTables ?? [])])
      environment[tableEnvName(logical)] = tables[logical].tableName;

    const fn = new DondocFunction(this, name, {
      entry: spec.entry,
      description: `dondoc ${name} (${spec.entry})`,
      timeout: Duration.seconds(spec.timeoutSeconds),
      memorySize: spec.memoryMb,
      environment,
      // Mail from dondoc carries the C12-TS PDF, whose renderer loads the DejaVu fonts from their package
      // at run time. The registry has no field for this yet, so "sends email" stands in for "renders PDF".
      packageFiles: spec.sendsEmail ? [NOTICE_FONTS] : [],
    });

    // Explicit statements rather than grantReadWriteData: the index ARNs are named from TABLES, so there
    // is no `index/*` wildcard, and a table not listed in the registry is simply not reachable.
    const access = [
      ...spec.tables.map((logical) => ({
        logical,
        actions: [...TABLE_READ_ACTIONS, ...TABLE_WRITE_ACTIONS],
      })),
      ...(spec.readsTables ?? []).map((logical) => ({ logical, actions: TABLE_READ_ACTIONS })),
    ];
    for (const { logical, actions } of access) {
      const table = tables[logical];
      fn.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions, resources: [table.tableArn] }));
      const indexes = TABLES[logical].indexes as readonly { indexName: string }[];
      if (indexes.length > 0) {
        fn.role.addToPrincipalPolicy(
          new iam.PolicyStatement({
            actions: INDEX_ACTIONS,
            resources: indexes.map((index) => `${table.tableArn}/index/${index.indexName}`),
          }),
        );
      }
    }

    const stateMachineArnOf = (name: string) =>
      Stack.of(this).formatArn({
        service: 'states',
        resource: 'stateMachine',
        resourceName: name,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      });
    for (const workflow of spec.startsWorkflows ?? []) {
      // Named, not referenced: the started workflow may be built after this one.
      const arn = stateMachineArnOf(`dondoc-${workflow}`);
      fn.function.addEnvironment(
        `${workflow.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase()}_STATE_MACHINE_ARN`,
        arn,
      );
      fn.role.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: ['states:StartExecution'], resources: [arn] }),
      );
      if (!spec.readsStartedExecutions) continue;
      // A name already taken: whether that run is still going or ended without starting this one.
      this.mayDescribeExecutions(
        fn,
        `dondoc-${workflow}`,
        `DescribeExecution on the executions of dondoc-${workflow} only, which this function starts under names of its own: when a name is taken, it must tell a run still going from one that ended.`,
      );
    }
    if (spec.answersOwnTasks) {
      fn.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['states:SendTaskSuccess', 'states:SendTaskFailure'],
          resources: [stateMachineArnOf(stateMachineName)],
        }),
      );
    }

    if (spec.readsOwnExecutions) {
      this.mayDescribeExecutions(
        fn,
        stateMachineName,
        "DescribeExecution on this workflow's own executions only: the period lease names the execution holding it, whose name is not known before it starts.",
      );
    }

    if (spec.sendsEmail) {
      // SES v2 authorises SendEmail against both the sender identity and the configuration set used.
      fn.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: SES_SEND_ACTIONS,
          resources: [
            email.identityArn,
            Stack.of(this).formatArn({
              service: 'ses',
              resource: 'configuration-set',
              resourceName: email.configurationSetName,
            }),
          ],
        }),
      );
    }
    return fn;
  }
}
