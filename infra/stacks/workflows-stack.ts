/**
 * The processes: for each workflow in the registry its functions and state machine, the SES sender they
 * share, and the EventBridge Scheduler schedule that starts the monthly C12 run.
 */
import { Duration, Stack, TimeZone, Validations, type StackProps } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { LogicalTableName } from '../../functions/shared/tables.ts';
import { WORKFLOWS, type WorkflowName } from '../../workflows/registry.ts';
import { DondocWorkflow } from '../constructs/dondoc-workflow.ts';

export interface WorkflowsStackProps extends StackProps {
  tables: Record<LogicalTableName, dynamodb.ITable>;
  senderEmail: string;
  adminEmails: string[];
  /** EventBridge Scheduler expression of the monthly C12 run, e.g. `cron(0 6 5 * ? *)`. */
  monthlyC12Schedule: string;
  /** EventBridge Scheduler expression of the debt escalation sweep, e.g. `cron(0 7 * * ? *)`. */
  debtEscalationSchedule: string;
  /** IANA time zone the schedule expression is read in. */
  scheduleTimezone: string;
  /** The SES account's maximum send rate (emails per second), shared by the functions that send. */
  sesSendQuota: number;
  /** The approval pages' address, for the links in mail. */
  publicBaseUrl: string;
}

export class WorkflowsStack extends Stack {
  readonly workflows = {} as Record<WorkflowName, DondocWorkflow>;
  readonly configurationSet: ses.ConfigurationSet;
  readonly senderIdentity: ses.EmailIdentity;
  readonly monthlyC12Schedule: scheduler.Schedule;
  readonly debtEscalationSchedule: scheduler.Schedule;
  readonly scheduleDeadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: WorkflowsStackProps) {
    super(scope, id, props);

    // Open and click tracking stay off: tracking would rewrite the approval links in the mail (the link
    // must reach our page untouched) and add a pixel to legal notices. SES only tracks when a
    // configuration set asks for it (event destinations for OPEN/CLICK or VDM engagement metrics), so
    // this set declares neither.
    this.configurationSet = new ses.ConfigurationSet(this, 'ConfigurationSet', {
      reputationMetrics: true,
      sendingEnabled: true,
      suppressionReasons: ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });
    this.senderIdentity = new ses.EmailIdentity(this, 'SenderIdentity', {
      identity: ses.Identity.email(props.senderEmail),
      // Default set for the identity, so even a send that forgets the set gets no tracking.
      configurationSet: this.configurationSet,
    });

    for (const [name, spec] of Object.entries(WORKFLOWS) as [
      WorkflowName,
      (typeof WORKFLOWS)[WorkflowName],
    ][]) {
      this.workflows[name] = new DondocWorkflow(this, name, {
        spec,
        tables: props.tables,
        email: {
          senderEmail: props.senderEmail,
          adminEmails: props.adminEmails,
          identityArn: this.senderIdentity.emailIdentityArn,
          configurationSetName: this.configurationSet.configurationSetName,
          sendQuotaPerSecond: props.sesSendQuota,
          publicBaseUrl: props.publicBaseUrl,
        },
      });
    }

    // A start that Scheduler cannot deliver after its retries lands here instead of vanishing; the
    // monitoring stack alarms on it.
    this.scheduleDeadLetterQueue = new sqs.Queue(this, 'ScheduleDeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.scheduleDeadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself the dead-letter queue of the EventBridge Scheduler target; a DLQ of a DLQ would only move the undelivered start messages again. It is alarmed on in the monitoring stack.',
    });

    const schedule = (id: string, description: string, expression: string, workflow: WorkflowName) =>
      new scheduler.Schedule(this, id, {
        description,
        schedule: scheduler.ScheduleExpression.expression(expression, TimeZone.of(props.scheduleTimezone)),
        target: new targets.StepFunctionsStartExecution(this.workflows[workflow].stateMachine, {
          // The first step takes "today" in Vietnam (an input may name a period or a day); a retried start
          // within maxEventAge falls on the same day, so it runs the same work, and every step is
          // idempotent. The scheduled time is passed along for the record only.
          input: scheduler.ScheduleTargetInput.fromObject({
            source: 'schedule',
            scheduledTime: scheduler.ContextAttribute.scheduledTime,
          }),
          retryAttempts: 10,
          maxEventAge: Duration.hours(6),
          deadLetterQueue: this.scheduleDeadLetterQueue,
        }),
      });
    this.monthlyC12Schedule = schedule(
      'MonthlyC12Schedule',
      'Starts the monthly C12-TS notices run',
      props.monthlyC12Schedule,
      'MonthlyC12Notices',
    );
    this.debtEscalationSchedule = schedule(
      'DebtEscalationSchedule',
      'Starts the daily debt escalation sweep',
      props.debtEscalationSchedule,
      'DebtEscalation',
    );
  }
}
