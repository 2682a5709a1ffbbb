/**
 * The schedules of the recurring processes in the cloud, and the administrators' surface that changes them:
 * - an EventBridge Scheduler group `dondoc` with one schedule per process (functions/schedules/model.ts),
 *   each in its time zone, with retries and the dead-letter queue, written from the same definition the
 *   admin API applies (functions/schedules/engine.ts), so deploy and API never disagree on the shape;
 * - the admin API and pages: a Lambda function URL with AWS_IAM auth (an administrator signs with the IAM
 *   role they already deploy and operate with; nothing else to run or to leak), changing the schedules
 *   through client-scheduler and the records in the Schedules table;
 * - after a deploy that changed the schedules' template (CloudFormation resets them to the defaults), a
 *   custom resource re-applies every schedule an administrator had changed.
 */
import { createHash } from 'node:crypto';
import {
  ArnFormat,
  Aws,
  CfnOutput,
  CustomResource,
  Duration,
  Stack,
  Validations,
  type CfnElement,
} from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { schedulerDefinition, scheduleName, type SchedulerTarget } from '../../functions/schedules/engine.ts';
import { PROCESS_IDS, SCHEDULED_PROCESSES, defaultSchedule } from '../../functions/schedules/model.ts';
import { TABLES } from '../../functions/shared/tables.ts';
import type { WorkflowName } from '../../workflows/registry.ts';
import { DondocFunction } from './dondoc-function.ts';
import { tableEnvName, type DondocWorkflow } from './dondoc-workflow.ts';

export const SCHEDULE_GROUP = 'dondoc';

export interface DondocSchedulesProps {
  workflows: Record<WorkflowName, DondocWorkflow>;
  schedulesTable: dynamodb.ITable;
  /** The debt cases and their trail, which the admin pages show, pause and resume. */
  casesTable: dynamodb.ITable;
  auditTable: dynamodb.ITable;
  /** A pause withdraws the approval the case waited for (its link dies). */
  approvalsTable: dynamodb.ITable;
  deadLetterQueue: sqs.IQueue;
}

const envName = (workflow: WorkflowName) =>
  `${workflow.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase()}_STATE_MACHINE_ARN`;

export class DondocSchedules extends Construct {
  readonly group: scheduler.CfnScheduleGroup;
  readonly role: iam.Role;
  readonly schedules: Record<string, scheduler.CfnSchedule> = {};
  readonly admin: DondocFunction;
  readonly adminUrl: lambda.FunctionUrl;

  constructor(scope: Construct, id: string, props: DondocSchedulesProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const scheduled = [...new Set(PROCESS_IDS.map((processId) => SCHEDULED_PROCESSES[processId].workflow))];
    const stateMachineArn = (workflow: WorkflowName) =>
      props.workflows[workflow].stateMachine.stateMachineArn;

    this.group = new scheduler.CfnScheduleGroup(this, 'Group', { name: SCHEDULE_GROUP });
    this.role = new iam.Role(this, 'SchedulerRole', {
      description: 'EventBridge Scheduler starts the dondoc processes',
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    });
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['states:StartExecution'],
        resources: scheduled.map(stateMachineArn),
      }),
    );
    props.deadLetterQueue.grantSendMessages(this.role);

    const target: SchedulerTarget = {
      groupName: SCHEDULE_GROUP,
      roleArn: this.role.roleArn,
      deadLetterQueueArn: props.deadLetterQueue.queueArn,
      stateMachineArn: (workflow) => stateMachineArn(workflow),
    };
    for (const processId of PROCESS_IDS) {
      const definition = schedulerDefinition(defaultSchedule(processId), target);
      const schedule = new scheduler.CfnSchedule(this, `Schedule-${processId}`, {
        name: definition.Name,
        groupName: SCHEDULE_GROUP,
        description: definition.Description,
        scheduleExpression: definition.ScheduleExpression!,
        scheduleExpressionTimezone: definition.ScheduleExpressionTimezone,
        state: definition.State,
        flexibleTimeWindow: { mode: definition.FlexibleTimeWindow!.Mode! },
        target: {
          arn: definition.Target!.Arn!,
          roleArn: definition.Target!.RoleArn!,
          input: definition.Target!.Input,
          retryPolicy: {
            maximumRetryAttempts: definition.Target!.RetryPolicy!.MaximumRetryAttempts,
            maximumEventAgeInSeconds: definition.Target!.RetryPolicy!.MaximumEventAgeInSeconds,
          },
          deadLetterConfig: { arn: definition.Target!.DeadLetterConfig!.Arn },
        },
      });
      schedule.addDependency(this.group);
      this.schedules[processId] = schedule;
    }

    const scheduleArns = PROCESS_IDS.map((processId) =>
      stack.formatArn({
        service: 'scheduler',
        resource: 'schedule',
        resourceName: `${SCHEDULE_GROUP}/${scheduleName(processId)}`,
        arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
      }),
    );
    const environment = {
      [tableEnvName('Schedules')]: props.schedulesTable.tableName,
      SCHEDULE_GROUP,
      SCHEDULER_ROLE_ARN: this.role.roleArn,
      SCHEDULE_DLQ_ARN: props.deadLetterQueue.queueArn,
      ...Object.fromEntries(scheduled.map((workflow) => [envName(workflow), stateMachineArn(workflow)])),
    };
    const mayApply = (fn: DondocFunction) => {
      fn.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['scheduler:GetSchedule', 'scheduler:UpdateSchedule', 'scheduler:CreateSchedule'],
          resources: scheduleArns,
        }),
      );
      fn.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['iam:PassRole'],
          resources: [this.role.roleArn],
          conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
        }),
      );
    };

    const formSecret = new secretsmanager.Secret(this, 'AdminFormSecret', {
      description: 'dondoc admin pages: the key of their form tokens',
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
    });
    Validations.of(formSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'A key for form tokens only: rotating it just makes the open admin pages reload; no rotation Lambda is warranted.',
    });
    this.admin = new DondocFunction(this, 'AdminApi', {
      entry: 'functions/schedules/handlers/admin-http.ts',
      description: 'dondoc admin API and pages (functions/schedules/handlers/admin-http.ts)',
      timeout: Duration.seconds(15),
      memorySize: 512,
      environment: {
        ...environment,
        ADMIN_AUTH: 'IAM',
        [tableEnvName('Cases')]: props.casesTable.tableName,
        [tableEnvName('Audit')]: props.auditTable.tableName,
        [tableEnvName('Approvals')]: props.approvalsTable.tableName,
        // Binds the pages' form tokens to a secret (with the caller's ARN), so another site cannot make
        // one. Resolved by CloudFormation at deploy; readable only by those who may read the function.
        ADMIN_FORM_SECRET: formSecret.secretValue.unsafeUnwrap(),
      },
    });
    props.schedulesTable.grantReadWriteData(this.admin.role);
    // Cases: read (and their status index, named), pause/resume as conditional updates; the trail: read,
    // append; an approval withdrawn by a pause. Nothing deleted.
    const grant = (actions: string[], resources: string[]) =>
      this.admin.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions, resources }));
    grant(['dynamodb:GetItem', 'dynamodb:UpdateItem'], [props.casesTable.tableArn]);
    grant(
      ['dynamodb:Query'],
      TABLES.Cases.indexes.map((index) => `${props.casesTable.tableArn}/index/${index.indexName}`),
    );
    grant(['dynamodb:Query', 'dynamodb:PutItem'], [props.auditTable.tableArn]);
    // A pause ends the approval in progress: a conditional update of its record (read when it was passed on).
    grant(['dynamodb:GetItem', 'dynamodb:UpdateItem'], [props.approvalsTable.tableArn]);
    mayApply(this.admin);
    this.admin.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['states:StartExecution', 'states:ListExecutions'],
        resources: scheduled.map(stateMachineArn),
      }),
    );
    this.admin.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['states:DescribeExecution'],
        // Pseudo parameters rather than formatArn, so the acknowledgements below match whatever env is set.
        resources: scheduled.map(
          (workflow) =>
            `arn:${Aws.PARTITION}:states:${Aws.REGION}:${Aws.ACCOUNT_ID}:execution:${props.workflows[workflow].stateMachine.stateMachineName}:*`,
        ),
      }),
    );
    this.adminUrl = this.admin.function.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.AWS_IAM });
    new CfnOutput(stack, 'AdminUrl', {
      value: this.adminUrl.url,
      description: 'Admin API and pages (AWS_IAM: sign requests with an administrator role; /admin/)',
    });

    // Re-apply the administrators' changes whenever the deploy changed what CloudFormation knows of the
    // schedules (and so reset them): the custom resource's properties are a digest of their definitions.
    const sync = new DondocFunction(this, 'SyncSchedules', {
      entry: 'functions/schedules/handlers/sync-schedules.ts',
      description:
        'dondoc: re-applies changed schedules after a deploy (functions/schedules/handlers/sync-schedules.ts)',
      timeout: Duration.minutes(2),
      memorySize: 256,
      environment,
    });
    props.schedulesTable.grantReadData(sync.role);
    mayApply(sync);
    const provider = new cr.Provider(this, 'SyncProvider', { onEventHandler: sync.function });
    const digest = createHash('sha256')
      .update(JSON.stringify(stack.resolve(Object.values(this.schedules).map((s) => s._toCloudFormation()))))
      .digest('hex');
    const resource = new CustomResource(this, 'SyncAfterDeploy', {
      serviceToken: provider.serviceToken,
      // The digest covers what the template says; the targets, resolved by CloudFormation, cover what it
      // references: a replaced state machine, role or queue changes the schedules without changing the
      // template's text, and must re-apply the administrators' changes as well.
      properties: {
        schedulesDigest: digest,
        schedulesTargets: Object.values(this.schedules).map((schedule) => {
          const target = schedule.target as scheduler.CfnSchedule.TargetProperty;
          const deadLetter = target.deadLetterConfig as scheduler.CfnSchedule.DeadLetterConfigProperty;
          return { Arn: target.arn, RoleArn: target.roleArn, DeadLetterArn: deadLetter.arn };
        }),
      },
    });
    for (const schedule of Object.values(this.schedules)) resource.node.addDependency(schedule);

    for (const workflow of scheduled) {
      const stateMachine = props.workflows[workflow].stateMachine;
      const logicalId = stack.resolve(
        stack.getLogicalId(stateMachine.node.defaultChild as CfnElement),
      ) as string;
      Validations.of(this.admin).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:<${logicalId}.Name>:*]`,
        reason:
          'DescribeExecution on the runs of one state machine, whose execution names are made at run time.',
      });
    }
    Validations.of(provider).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason: "The CDK custom resource provider framework's own function: logs only, created by aws-cdk-lib.",
    });
    Validations.of(provider).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::<SchedulesSyncSchedulesFunctionA61F2EC5.Arn>:*]',
      reason: 'The provider framework invokes the sync function (and its versions): that one function only.',
    });
    for (const construct of [this.admin, sync]) {
      Validations.of(construct).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'Only the X-Ray actions DondocFunction adds for tracing, which have no resource-level permissions.',
      });
    }
  }
}
