/**
 * The processes: for each workflow in the registry its functions and state machine, the SES sender they
 * share, and their schedules with the admin surface that changes them (../constructs/dondoc-schedules.ts).
 */
import { Duration, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { LogicalTableName } from '../../functions/shared/tables.ts';
import { WORKFLOWS, type WorkflowName } from '../../workflows/registry.ts';
import { DondocSchedules } from '../constructs/dondoc-schedules.ts';
import { DondocWorkflow } from '../constructs/dondoc-workflow.ts';
import type { OfficeSettings } from '../constructs/office.ts';

export interface WorkflowsStackProps extends StackProps {
  tables: Record<LogicalTableName, dynamodb.ITable>;
  office: OfficeSettings;
  senderEmail: string;
  adminEmails: string[];
  evasionNoticeRecipients: string[];
  /** The SES account's maximum send rate (emails per second), shared by the functions that send. */
  sesSendQuota: number;
  /** The approval pages' address, for the links in mail. */
  publicBaseUrl: string;
}

export class WorkflowsStack extends Stack {
  readonly workflows = {} as Record<WorkflowName, DondocWorkflow>;
  readonly configurationSet: ses.ConfigurationSet;
  readonly senderIdentity: ses.EmailIdentity;
  readonly scheduleDeadLetterQueue: sqs.Queue;
  readonly schedules: DondocSchedules;

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
          office: props.office,
          senderEmail: props.senderEmail,
          adminEmails: props.adminEmails,
          evasionNoticeRecipients: props.evasionNoticeRecipients,
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

    this.schedules = new DondocSchedules(this, 'Schedules', {
      workflows: this.workflows,
      schedulesTable: props.tables.Schedules,
      casesTable: props.tables.Cases,
      auditTable: props.tables.Audit,
      approvalsTable: props.tables.Approvals,
      deadLetterQueue: this.scheduleDeadLetterQueue,
    });
  }
}
