/**
 * The synthesized cloud app, asserted from the contracts (TABLES, WORKFLOWS, the ASL file, cdk.json), not
 * from copied values. Bundling is skipped here; bundling.test.ts bundles one real function.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Stack, type CfnElement } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO_OFFICE } from '../../functions/shared/demo-office.ts';
import { PROCESS_IDS, SCHEDULED_PROCESSES } from '../../functions/schedules/model.ts';
import { TABLES, type LogicalTableName } from '../../functions/shared/tables.ts';
import { placeholdersOf, tableEnvName } from '../../infra/constructs/dondoc-workflow.ts';
import { officeEnvironment } from '../../infra/constructs/office.ts';
import { REPO_ROOT } from '../../infra/constructs/paths.ts';
import { WEB_ROUTES } from '../../infra/local/stack.ts';
import { createDondocApp, type DondocApp } from '../../infra/stacks/dondoc-app.ts';
import { maxMapConcurrency, WORKFLOWS, type WorkflowName } from '../../workflows/registry.ts';

type Json = Record<string, unknown>;
interface Resource {
  Type: string;
  Properties: Json;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
}

const cdkContext = (JSON.parse(readFileSync(join(REPO_ROOT, 'cdk.json'), 'utf8')) as { context: Json })
  .context;

function synth(extraContext: Json = {}): DondocApp {
  return createDondocApp({ context: { ...cdkContext, 'aws:cdk:bundling-stacks': [], ...extraContext } });
}

function logicalId(construct: IConstruct): string {
  const stack = Stack.of(construct);
  return stack.resolve(stack.getLogicalId(construct.node.defaultChild as CfnElement)) as string;
}

/** Replace `Fn::ImportValue` of a producer export with the exported value, so grants compare to `Ref`s. */
function dereferenceImports(value: unknown, exportsByName: Map<string, unknown>): unknown {
  if (Array.isArray(value)) return value.map((item) => dereferenceImports(item, exportsByName));
  if (value && typeof value === 'object') {
    const object = value as Json;
    const imported = object['Fn::ImportValue'];
    if (typeof imported === 'string' && exportsByName.has(imported)) return exportsByName.get(imported);
    return Object.fromEntries(
      Object.entries(object).map(([k, v]) => [k, dereferenceImports(v, exportsByName)]),
    );
  }
  return value;
}

function exportsOf(template: Template): Map<string, unknown> {
  const outputs = template.toJSON().Outputs as Record<string, { Value: unknown; Export?: { Name: string } }>;
  return new Map(
    Object.values(outputs ?? {})
      .filter((output) => output.Export)
      .map((output) => [output.Export!.Name, output.Value]),
  );
}

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

const asArray = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

let dondoc: DondocApp;
let data: Template;
let workflows: Template;
let monitoring: Template;
let dataExports: Map<string, unknown>;
let workflowExports: Map<string, unknown>;

beforeAll(() => {
  dondoc = synth();
  data = Template.fromStack(dondoc.data);
  workflows = Template.fromStack(dondoc.workflows);
  monitoring = Template.fromStack(dondoc.monitoring);
  dataExports = exportsOf(data);
  workflowExports = exportsOf(workflows);
});

/** The IAM statements attached to a function's role, with cross-stack imports resolved. */
function statementsOfRole(roleLogicalId: string): Statement[] {
  const policies = workflows.findResources('AWS::IAM::Policy') as Record<string, Resource>;
  return Object.values(policies)
    .filter((policy) => JSON.stringify(policy.Properties.Roles) === JSON.stringify([{ Ref: roleLogicalId }]))
    .flatMap((policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement)
    .map((statement) => dereferenceImports(statement, dataExports) as Statement);
}

function allowedResources(statements: Statement[], action: string): unknown[] {
  return statements
    .filter((statement) => statement.Effect === 'Allow' && asArray(statement.Action).includes(action))
    .flatMap((statement) => asArray(statement.Resource));
}

describe('data stack', () => {
  const logicalNames = Object.keys(TABLES) as LogicalTableName[];

  it('creates exactly one table per TABLES entry', () => {
    data.resourceCountIs('AWS::DynamoDB::Table', logicalNames.length);
  });

  it.each(logicalNames)('%s: keys and GSIs from TABLES, on demand, PITR, SSE, retained', (logical) => {
    const def = TABLES[logical];
    const resource = (data.toJSON().Resources as Record<string, Resource>)[
      logicalId(dondoc.data.tables[logical])
    ]!;
    expect(resource.Type).toBe('AWS::DynamoDB::Table');
    expect(resource.DeletionPolicy).toBe('Retain');
    expect(resource.UpdateReplacePolicy).toBe('Retain');

    const props = resource.Properties;
    expect(props.BillingMode).toBe('PAY_PER_REQUEST');
    expect(props.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    expect(props.SSESpecification).toEqual({ SSEEnabled: true });

    const keySchema = (partition: { name: string }, sort?: { name: string }) => [
      { AttributeName: partition.name, KeyType: 'HASH' },
      ...(sort ? [{ AttributeName: sort.name, KeyType: 'RANGE' }] : []),
    ];
    expect(props.KeySchema).toEqual(keySchema(def.partitionKey, 'sortKey' in def ? def.sortKey : undefined));

    const indexes = def.indexes as readonly {
      indexName: string;
      partitionKey: { name: string };
      sortKey?: { name: string };
    }[];
    const gsis = (props.GlobalSecondaryIndexes ?? []) as Json[];
    expect(gsis.map((gsi) => gsi.IndexName).sort()).toEqual(indexes.map((index) => index.indexName).sort());
    for (const index of indexes) {
      const gsi = gsis.find((candidate) => candidate.IndexName === index.indexName)!;
      expect(gsi.KeySchema).toEqual(keySchema(index.partitionKey, index.sortKey));
      expect(gsi.Projection).toEqual({ ProjectionType: 'ALL' });
    }
  });
});

describe('workflows stack', () => {
  const workflowNames = Object.keys(WORKFLOWS) as WorkflowName[];
  const functionCount = workflowNames.reduce(
    (sum, name) => sum + Object.keys(WORKFLOWS[name].functions).length,
    0,
  );

  it('builds one function per registry entry: nodejs22.x on arm64, traced, own log group', () => {
    // Beside the registry's: the admin API, the schedule sync and the custom resource framework's own.
    workflows.resourceCountIs('AWS::Lambda::Function', functionCount + 3);
    const functions = Object.entries(
      workflows.findResources('AWS::Lambda::Function') as Record<string, Resource>,
    )
      .filter(([id]) => !id.includes('SyncProviderframework'))
      .map(([, fn]) => fn);
    expect(functions).toHaveLength(functionCount + 2);
    for (const fn of functions) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogGroup: { Ref: expect.any(String) } },
      });
    }
    const logGroups = workflows.findResources('AWS::Logs::LogGroup') as Record<string, Resource>;
    expect(
      Object.values(logGroups).every((group) => typeof group.Properties.RetentionInDays === 'number'),
    ).toBe(true);
  });

  describe.each(workflowNames)('%s', (name) => {
    const spec = WORKFLOWS[name];
    const fileText = readFileSync(join(REPO_ROOT, spec.definitionFile), 'utf8');

    const stateMachine = (): Resource =>
      (workflows.toJSON().Resources as Record<string, Resource>)[
        logicalId(dondoc.workflows.workflows[name].stateMachine)
      ]!;

    it('deploys the definition file verbatim, the same text the local engine runs', () => {
      expect(stateMachine().Properties.DefinitionString).toBe(fileText);
    });

    it('substitutes every ${...} placeholder of the file, each FunctionArn with its own function', () => {
      const substitutions = stateMachine().Properties.DefinitionSubstitutions as Json;
      const placeholders = placeholdersOf(fileText);
      expect(placeholders.length).toBeGreaterThan(0);
      expect(Object.keys(substitutions).sort()).toEqual([...placeholders].sort());
      for (const [placeholder, fnSpec] of Object.entries(spec.functions)) {
        const fn = dondoc.workflows.workflows[name].functions[placeholder]!.function;
        expect(substitutions[placeholder]).toEqual({ 'Fn::GetAtt': [logicalId(fn), 'Arn'] });
        const props = (workflows.toJSON().Resources as Record<string, Resource>)[logicalId(fn)]!.Properties;
        // The entry is named in the description; with bundling skipped that is what ties ARN to module.
        expect(props.Description).toContain(fnSpec.entry);
        expect(props).toMatchObject({ Timeout: fnSpec.timeoutSeconds, MemorySize: fnSpec.memoryMb });
      }
    });

    it('is a Standard state machine that logs ALL to a log group and is traced', () => {
      expect(stateMachine().Properties).toMatchObject({
        StateMachineType: 'STANDARD',
        LoggingConfiguration: {
          Level: 'ALL',
          IncludeExecutionData: false,
          Destinations: [
            { CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [expect.any(String), 'Arn'] } } },
          ],
        },
        TracingConfiguration: { Enabled: true },
      });
    });

    it('may invoke exactly its own functions', () => {
      const role = (stateMachine().Properties.RoleArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
      const invokable = allowedResources(statementsOfRole(role), 'lambda:InvokeFunction');
      const own = Object.values(dondoc.workflows.workflows[name].functions).map((fn) => ({
        'Fn::GetAtt': [logicalId(fn.function), 'Arn'],
      }));
      expect(invokable).toEqual(expect.arrayContaining(own));
      expect(invokable).toHaveLength(own.length);
    });

    it.each(Object.entries(spec.functions))(
      '%s: env and grants follow the registry entry',
      (placeholder, fnSpec) => {
        const construct = dondoc.workflows.workflows[name].functions[placeholder]!;
        const props = (workflows.toJSON().Resources as Record<string, Resource>)[
          logicalId(construct.function)
        ]!.Properties;
        const env = dereferenceImports(
          (props.Environment as { Variables: Json }).Variables,
          dataExports,
        ) as Json;
        const tables = fnSpec.tables as readonly LogicalTableName[];
        const readOnly = ((fnSpec as { readsTables?: LogicalTableName[] }).readsTables ??
          []) as readonly LogicalTableName[];

        // Each listed table's physical name, and no other table's.
        const tableVars = Object.keys(env).filter((key) => key.startsWith('TABLE_'));
        expect(tableVars.sort()).toEqual([...tables, ...readOnly].map(tableEnvName).sort());
        for (const logical of [...tables, ...readOnly]) {
          expect(env[tableEnvName(logical)]).toEqual({ Ref: logicalId(dondoc.data.tables[logical]) });
        }
        expect(env.SENDER_EMAIL).toBe(dondoc.settings.senderEmail);
        expect(env).toMatchObject(officeEnvironment(dondoc.settings));
        expect(env.ADMIN_EMAILS).toBe(dondoc.settings.adminEmails.join(','));
        expect(env.EVASION_NOTICE_RECIPIENTS).toBe(dondoc.settings.evasionNoticeRecipients.join(','));
        expect(env.SES_CONFIGURATION_SET).toEqual({ Ref: logicalId(dondoc.workflows.configurationSet) });
        // The SES quota shared by the workflow's concurrent instances: 14 per second over the monthly
        // run's 4 partitions at once; a workflow without a Map sends from one instance at a time.
        if (fnSpec.sendsEmail) {
          const definition = readFileSync(join(REPO_ROOT, spec.definitionFile), 'utf8');
          expect(Number(env.SES_MAX_SEND_RATE)).toBe(
            dondoc.settings.sesSendQuota / maxMapConcurrency(definition),
          );
        } else {
          expect(env.SES_MAX_SEND_RATE).toBeUndefined();
        }

        const statements = statementsOfRole(logicalId(construct.role));
        const tableArn = (logical: LogicalTableName) => ({
          'Fn::GetAtt': [logicalId(dondoc.data.tables[logical]), 'Arn'],
        });
        const reachable = (action: string) => {
          const resources = allowedResources(statements, action);
          return (Object.keys(TABLES) as LogicalTableName[])
            .filter((logical) =>
              resources.some((resource) => JSON.stringify(resource) === JSON.stringify(tableArn(logical))),
            )
            .sort();
        };
        // Table ARNs reachable by each action are exactly the listed tables (plus their named indexes): the
        // read-only ones by reads only.
        for (const action of ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:Scan'])
          expect(reachable(action), action).toEqual([...tables, ...readOnly].sort());
        for (const action of [
          'dynamodb:PutItem',
          'dynamodb:UpdateItem',
          'dynamodb:DeleteItem',
          'dynamodb:BatchWriteItem',
        ])
          expect(reachable(action), action).toEqual([...tables].sort());
        // No wildcard index access: GSIs are granted by name.
        expect(JSON.stringify(statements)).not.toContain('/index/*');

        const sesResources = allowedResources(statements, 'ses:SendEmail');
        if (fnSpec.sendsEmail) {
          expect(sesResources).toContainEqual({
            'Fn::Join': [
              '',
              expect.arrayContaining([`:identity/`, { Ref: logicalId(dondoc.workflows.senderIdentity) }]),
            ],
          });
          expect(JSON.stringify(sesResources)).toContain(':configuration-set/');
        } else {
          expect(
            statements.flatMap((statement) => asArray(statement.Action)).filter((a) => a.startsWith('ses:')),
          ).toEqual([]);
        }
      },
    );
  });

  it('the batch function may write Notices; the prepare function may not send email', () => {
    const functions = dondoc.workflows.workflows.MonthlyC12Notices.functions;
    const batch = statementsOfRole(logicalId(functions.ProcessBatchFunctionArn!.role));
    const notices = { 'Fn::GetAtt': [logicalId(dondoc.data.tables.Notices), 'Arn'] };
    expect(allowedResources(batch, 'dynamodb:PutItem')).toContainEqual(notices);

    const prepare = statementsOfRole(logicalId(functions.PrepareRunFunctionArn!.role));
    expect(allowedResources(prepare, 'ses:SendEmail')).toEqual([]);
    expect(allowedResources(prepare, 'ses:SendRawEmail')).toEqual([]);
    expect(allowedResources(prepare, 'dynamodb:PutItem')).not.toContainEqual(notices);
  });

  it("times the batch task out only after the batch function's own timeout, so no retry overlaps a running batch", () => {
    const definition = JSON.parse(
      readFileSync(join(REPO_ROOT, WORKFLOWS.MonthlyC12Notices.definitionFile), 'utf8'),
    );
    const batchTask = definition.States.ProcessPartitions.ItemProcessor.States.ProcessBatch;
    expect(batchTask.TimeoutSeconds).toBeGreaterThan(
      WORKFLOWS.MonthlyC12Notices.functions.ProcessBatchFunctionArn.timeoutSeconds,
    );
  });

  it("only the prepare function may describe executions, and only its own workflow's", () => {
    const functions = dondoc.workflows.workflows.MonthlyC12Notices.functions;
    const prepare = statementsOfRole(logicalId(functions.PrepareRunFunctionArn!.role));
    const described = JSON.stringify(allowedResources(prepare, 'states:DescribeExecution'));
    expect(described).toContain(':execution:dondoc-MonthlyC12Notices:*');
    workflows.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineName: 'dondoc-MonthlyC12Notices',
    });
    for (const other of [functions.ProcessBatchFunctionArn!, functions.SummarizeRunFunctionArn!]) {
      expect(allowedResources(statementsOfRole(logicalId(other.role)), 'states:DescribeExecution')).toEqual(
        [],
      );
    }
  });

  it('the sweep may describe the approval runs it starts, and no other workflow’s', () => {
    const evaluate = dondoc.workflows.workflows.DebtEscalation.functions.EvaluateCasesFunctionArn!;
    const described = JSON.stringify(
      allowedResources(statementsOfRole(logicalId(evaluate.role)), 'states:DescribeExecution'),
    );
    expect(described).toContain(':execution:dondoc-CaseApproval:*');
    expect(described).not.toContain('dondoc-MonthlyC12Notices');
    // The agency review starts decisions but never reads them.
    const review = dondoc.workflows.workflows.AgencyReview.functions.ReviewProvinceFunctionArn!;
    expect(allowedResources(statementsOfRole(logicalId(review.role)), 'states:DescribeExecution')).toEqual(
      [],
    );
  });

  it('has an SES sender identity from context with a configuration set that tracks nothing', () => {
    workflows.hasResourceProperties('AWS::SES::EmailIdentity', {
      EmailIdentity: dondoc.settings.senderEmail,
      ConfigurationSetAttributes: {
        ConfigurationSetName: { Ref: logicalId(dondoc.workflows.configurationSet) },
      },
    });
    const sets = Object.values(
      workflows.findResources('AWS::SES::ConfigurationSet') as Record<string, Resource>,
    );
    expect(sets).toHaveLength(1);
    // Tracking needs a redirect domain, VDM engagement metrics, or an OPEN/CLICK event destination.
    expect(sets[0]!.Properties.TrackingOptions).toBeUndefined();
    expect(JSON.stringify(sets[0]!.Properties.VdmOptions ?? {})).not.toContain('ENABLED');
    const destinations = workflows.findResources('AWS::SES::ConfigurationSetEventDestination');
    expect(JSON.stringify(destinations)).not.toMatch(/"(OPEN|CLICK|open|click)"/);
  });

  it.each(PROCESS_IDS)(
    'schedules %s in the dondoc group on its default, in Vietnam time, with retries and a dead-letter queue',
    (processId) => {
      const { workflow, defaultCron } = SCHEDULED_PROCESSES[processId];
      const stateMachineId = logicalId(dondoc.workflows.workflows[workflow].stateMachine);
      const queueId = logicalId(dondoc.workflows.scheduleDeadLetterQueue);
      workflows.resourceCountIs('AWS::Scheduler::Schedule', PROCESS_IDS.length);
      workflows.hasResourceProperties('AWS::Scheduler::ScheduleGroup', { Name: 'dondoc' });
      workflows.hasResourceProperties('AWS::Scheduler::Schedule', {
        Name: `dondoc-${processId}`,
        GroupName: 'dondoc',
        ScheduleExpression: defaultCron,
        ScheduleExpressionTimezone: 'Asia/Ho_Chi_Minh',
        State: 'ENABLED',
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: {
          Arn: { Ref: stateMachineId },
          RoleArn: { 'Fn::GetAtt': [Match.anyValue(), 'Arn'] },
          RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 21_600 },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queueId, 'Arn'] } },
          Input: Match.serializedJson(
            Match.objectLike({ source: 'schedule', scheduledTime: '<aws.scheduler.scheduled-time>' }),
          ),
        },
      });
      const schedule = Object.values(
        workflows.findResources('AWS::Scheduler::Schedule') as Record<string, Resource>,
      ).find((candidate) => candidate.Properties.Name === `dondoc-${processId}`)!;
      const target = schedule.Properties.Target as { RoleArn: { 'Fn::GetAtt': [string] } };

      // The schedules' role may start the scheduled state machines and is assumable by EventBridge
      // Scheduler of this account only.
      const roleId = target.RoleArn['Fn::GetAtt'][0];
      const role = (workflows.toJSON().Resources as Record<string, Resource>)[roleId]!;
      const trust = JSON.stringify(role.Properties.AssumeRolePolicyDocument);
      expect(trust).toContain('scheduler.amazonaws.com');
      expect(trust).toContain('aws:SourceAccount');
      expect(allowedResources(statementsOfRole(roleId), 'states:StartExecution')).toContainEqual({
        Ref: stateMachineId,
      });

      // The DLQ: encrypted and refusing plain HTTP.
      workflows.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
      workflows.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: queueId }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    },
  );

  it('serves the admin API behind IAM auth, allowed to change the dondoc schedules and nothing else', () => {
    const admin = dondoc.workflows.schedules.admin;
    const adminId = logicalId(admin.function);
    workflows.hasResourceProperties('AWS::Lambda::Url', {
      AuthType: 'AWS_IAM',
      TargetFunctionArn: { 'Fn::GetAtt': [adminId, 'Arn'] },
    });
    workflows.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ ADMIN_AUTH: 'IAM', SCHEDULE_GROUP: 'dondoc' }) },
    });
    const statements = statementsOfRole(logicalId(admin.role));
    const updatable = JSON.stringify(allowedResources(statements, 'scheduler:UpdateSchedule'));
    for (const processId of PROCESS_IDS) expect(updatable).toContain(`:schedule/dondoc/dondoc-${processId}`);
    expect(allowedResources(statements, 'iam:PassRole')).toHaveLength(1);
    // The case pages: cases read and updated (pause, resume), never deleted; the trail read and appended.
    const casesArn = { 'Fn::GetAtt': [logicalId(dondoc.data.tables.Cases), 'Arn'] };
    const auditArn = { 'Fn::GetAtt': [logicalId(dondoc.data.tables.Audit), 'Arn'] };
    expect(allowedResources(statements, 'dynamodb:UpdateItem')).toEqual(expect.arrayContaining([casesArn]));
    expect(allowedResources(statements, 'dynamodb:GetItem')).toEqual(expect.arrayContaining([casesArn]));
    expect(allowedResources(statements, 'dynamodb:PutItem')).toEqual(expect.arrayContaining([auditArn]));
    expect(allowedResources(statements, 'dynamodb:Query')).toEqual(
      expect.arrayContaining([auditArn, { 'Fn::Join': ['', [casesArn, '/index/byStatus']] }]),
    );
    expect(JSON.stringify(allowedResources(statements, 'dynamodb:DeleteItem'))).not.toContain(
      JSON.stringify(casesArn),
    );
  });

  it('re-applies the administrators’ changes after a deploy that changed the schedules', () => {
    const resources = workflows.toJSON().Resources as Record<string, Resource & { DependsOn?: string[] }>;
    const sync = Object.values(resources).find(
      (resource) => resource.Type === 'AWS::CloudFormation::CustomResource',
    )!;
    expect(sync.Properties.schedulesDigest).toMatch(/^[0-9a-f]{64}$/);
    const schedules = Object.entries(resources)
      .filter(([, resource]) => resource.Type === 'AWS::Scheduler::Schedule')
      .map(([id]) => id);
    expect(sync.DependsOn).toEqual(expect.arrayContaining(schedules));
    // What the schedules reference, resolved at deploy: a replaced state machine or role re-syncs too.
    const targets = sync.Properties.schedulesTargets as { Arn: unknown; RoleArn: unknown }[];
    expect(targets).toHaveLength(schedules.length);
    for (const [index, id] of schedules.entries()) {
      const target = resources[id]!.Properties.Target as { Arn: unknown; RoleArn: unknown };
      expect(targets[index]).toMatchObject({ Arn: target.Arn, RoleArn: target.RoleArn });
    }
  });

  describe('the office', () => {
    const realOffice = {
      senderEmail: 'thongbao@bhxh.lamdong.gov.vn',
      adminEmails: 'quantri@bhxh.lamdong.gov.vn',
      evasionNoticeRecipients: 'sldtbxh@lamdong.gov.vn',
      officeName: 'Bảo hiểm xã hội cơ sở Đà Lạt',
      collectionAccountNumber: '3751.0.1234567.00000',
      collectionAccountName: 'Bảo hiểm xã hội cơ sở Đà Lạt',
      collectionAccountBank: 'Kho bạc Nhà nước khu vực XV',
    };
    const demoWarnings = (app: DondocApp) =>
      Annotations.fromStack(app.workflows)
        .findWarning('*', Match.anyValue())
        .filter((warning) => String(warning.entry.data).includes('dondoc:demoOffice'));

    it('is the demo office in cdk.json, the same the embedded default runs, and synth says so', () => {
      const context = cdkContext as Record<string, Json>;
      for (const [key, value] of Object.entries(DEMO_OFFICE)) expect(context[key], key).toEqual(value);
      expect(demoWarnings(dondoc)).toHaveLength(1);
    });

    it("reaches every function that names it: the notices' account, the letters, the public list", () => {
      const office = synth(realOffice);
      expect(demoWarnings(office)).toEqual([]);
      const withOffice = (stack: Stack) =>
        Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function')).filter(
          (resource) =>
            (resource.Properties as { Environment?: { Variables?: Json } }).Environment?.Variables
              ?.OFFICE_NAME !== undefined,
        );
      const composing = withOffice(office.workflows);
      // Every function of every workflow (the C12-TS notices among them), and the public list.
      const registered = Object.values(WORKFLOWS).flatMap((spec) => Object.keys(spec.functions));
      expect(composing).toHaveLength(registered.length);
      for (const resource of [...composing, ...withOffice(office.web)]) {
        expect(
          (resource.Properties as { Environment: { Variables: Json } }).Environment.Variables,
        ).toMatchObject({
          OFFICE_NAME: 'Bảo hiểm xã hội cơ sở Đà Lạt',
          COLLECTION_ACCOUNT_NUMBER: '3751.0.1234567.00000',
          COLLECTION_ACCOUNT_NAME: 'Bảo hiểm xã hội cơ sở Đà Lạt',
          COLLECTION_ACCOUNT_BANK: 'Kho bạc Nhà nước khu vực XV',
        });
      }
      expect(withOffice(office.web)).toHaveLength(1);
    });

    it('refuses an office that set its sender but left the demo collection account', () => {
      const partly = Object.fromEntries(
        Object.entries(realOffice).filter(([key]) => !key.startsWith('collectionAccount')),
      );
      expect(() => synth(partly)).toThrow(
        /demo office's collectionAccountNumber, collectionAccountName, collectionAccountBank while senderEmail/,
      );
      expect(() => synth({ collectionAccountNumber: '' })).toThrow(
        /"collectionAccountNumber" must be a non-empty/,
      );
    });
  });

  it('refuses an invalid admin address in context', () => {
    expect(() => synth({ adminEmails: 'quantri@bhxh-demo.vn,not-an-address' })).toThrow(/not-an-address/);
  });

  it('refuses an empty or invalid list of evasion notice recipients', () => {
    expect(() => synth({ evasionNoticeRecipients: '' })).toThrow(/evasionNoticeRecipients/);
    expect(() => synth({ evasionNoticeRecipients: ['thanhtra@lamdong.gov.vn', 'x@'] })).toThrow(/"x@"/);
  });
});

type State = Json & { Type?: string; Resource?: string };
const callbackStates = (states: Record<string, State>, found: [string, State][] = []) => {
  for (const [name, state] of Object.entries(states)) {
    if (state.Type === 'Task' && String(state.Resource).endsWith('.waitForTaskToken'))
      found.push([name, state]);
    const nested = [
      (state.ItemProcessor as { States?: Record<string, State> } | undefined)?.States,
      (state.Iterator as { States?: Record<string, State> } | undefined)?.States,
      ...((state.Branches as { States: Record<string, State> }[] | undefined) ?? []).map((b) => b.States),
    ];
    for (const inner of nested) if (inner) callbackStates(inner, found);
  }
  return found;
};

/** The workflows with a state that waits for a task token (an approval answered by link). */
function callbackWorkflows(): WorkflowName[] {
  return (Object.keys(WORKFLOWS) as WorkflowName[]).filter((name) => {
    const definition = JSON.parse(readFileSync(join(REPO_ROOT, WORKFLOWS[name].definitionFile), 'utf8')) as {
      States: Record<string, State>;
    };
    return callbackStates(definition.States).length > 0;
  });
}

describe('web stack', () => {
  let web: Template;
  beforeAll(() => {
    web = Template.fromStack(dondoc.web);
  });

  it('serves the approval pages and the public list from the handlers the local front door serves', () => {
    const functions = web.findResources('AWS::Lambda::Function') as Record<string, Resource>;
    const descriptions = Object.values(functions).map((fn) => String(fn.Properties.Description));
    for (const entry of [
      'functions/approvals/handlers/http.ts',
      'functions/escalation/handlers/public-list.ts',
    ]) {
      expect(WEB_ROUTES.map((route) => route.entry)).toContain(entry);
      expect(descriptions.filter((description) => description.includes(entry))).toHaveLength(1);
    }
  });

  it('gives each page function a public URL: the link’s random id and the CSRF token are the guard', () => {
    const urls = Object.values(web.findResources('AWS::Lambda::Url') as Record<string, Resource>);
    expect(urls).toHaveLength(2);
    for (const url of urls) expect(url.Properties.AuthType).toBe('NONE');
    const targets = urls.map((url) => JSON.stringify(url.Properties.TargetFunctionArn));
    for (const fn of [dondoc.web.approvals.function, dondoc.web.publicList.function])
      expect(targets).toContain(JSON.stringify({ 'Fn::GetAtt': [logicalId(fn), 'Arn'] }));
  });

  it('lets the approval pages answer only the workflows that wait for an approval', () => {
    const policies = Object.values(web.findResources('AWS::IAM::Policy') as Record<string, Resource>);
    const statements = policies.flatMap(
      (policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement,
    );
    const answering = statements.filter((statement) =>
      asArray(statement.Action).some((action) => action.startsWith('states:')),
    );
    expect(answering).toHaveLength(1);
    expect(asArray(answering[0]!.Action).sort()).toEqual([
      'states:SendTaskFailure',
      'states:SendTaskSuccess',
    ]);
    // Exactly the state machines that wait for a token, named as the workflows stack names them.
    const resources = asArray(answering[0]!.Resource).map((resource) => JSON.stringify(resource));
    const waiting = callbackWorkflows();
    expect(waiting.length).toBeGreaterThan(0);
    expect(resources).toHaveLength(waiting.length);
    for (const name of waiting)
      expect(resources.filter((resource) => resource.includes(`:stateMachine:dondoc-${name}`))).toHaveLength(
        1,
      );
    for (const resource of resources) expect(resource).not.toContain('*');
  });
});

describe('every callback task (waitForTaskToken) times out', () => {
  it.each(Object.keys(WORKFLOWS) as WorkflowName[])('%s', (name) => {
    const definition = JSON.parse(readFileSync(join(REPO_ROOT, WORKFLOWS[name].definitionFile), 'utf8')) as {
      States: Record<string, State>;
    };
    for (const [state, task] of callbackStates(definition.States))
      expect(
        typeof task.TimeoutSeconds === 'number' || typeof task.TimeoutSecondsPath === 'string',
        `${name}.${state}`,
      ).toBe(true);
  });

  it('finds the approval workflow’s callback states (the walk is not blind)', () => {
    const definition = JSON.parse(
      readFileSync(join(REPO_ROOT, WORKFLOWS.CaseApproval.definitionFile), 'utf8'),
    ) as { States: Record<string, State> };
    expect(callbackStates(definition.States).map(([name]) => name)).toEqual(['Ask', 'Remind', 'Reassign']);
  });
});

describe('monitoring stack', () => {
  it.each(Object.keys(WORKFLOWS) as WorkflowName[])(
    '%s: alarms on ExecutionsFailed and ExecutionsTimedOut, notifying the alarm topic',
    (name) => {
      const stateMachineRef = { Ref: logicalId(dondoc.workflows.workflows[name].stateMachine) };
      const alarms = Object.values(
        monitoring.findResources('AWS::CloudWatch::Alarm') as Record<string, Resource>,
      ).map((alarm) => dereferenceImports(alarm.Properties, workflowExports) as Json);
      for (const metricName of ['ExecutionsFailed', 'ExecutionsTimedOut']) {
        const matching = alarms.filter(
          (alarm) =>
            alarm.Namespace === 'AWS/States' &&
            alarm.MetricName === metricName &&
            JSON.stringify(alarm.Dimensions) ===
              JSON.stringify([{ Name: 'StateMachineArn', Value: stateMachineRef }]),
        );
        expect(matching, metricName).toHaveLength(1);
        expect(matching[0]).toMatchObject({
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          AlarmActions: [{ Ref: logicalId(dondoc.monitoring.alarmTopic) }],
        });
      }
    },
  );

  it('alarms when the schedule dead-letter queue holds a message', () => {
    monitoring.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      AlarmActions: [{ Ref: logicalId(dondoc.monitoring.alarmTopic) }],
    });
  });

  it('the alarm topic is KMS-encrypted with a rotated key and enforces SSL', () => {
    const topicId = logicalId(dondoc.monitoring.alarmTopic);
    monitoring.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.anyValue(), 'Arn'] },
    });
    monitoring.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    monitoring.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topicId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    for (const email of dondoc.settings.adminEmails) {
      monitoring.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: email });
    }
  });
});
