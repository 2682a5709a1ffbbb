/**
 * Alarms for what would otherwise fail silently: a state machine execution that failed or timed out, and a
 * scheduled start that EventBridge Scheduler could not deliver. They notify the administrators by SNS.
 */
import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';

export interface MonitoringStackProps extends StackProps {
  stateMachines: Record<string, sfn.IStateMachine>;
  deadLetterQueues: Record<string, sqs.IQueue>;
  adminEmails: string[];
}

export class MonitoringStack extends Stack {
  readonly alarmTopic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: MonitoringStackProps) {
    super(scope, id, props);

    // A customer managed key, because CloudWatch cannot publish to a topic encrypted with aws/sns (it may
    // not use that key); the key policy lets CloudWatch use this one.
    const key = new kms.Key(this, 'AlarmTopicKey', {
      description: 'dondoc alarm topic encryption',
      enableKeyRotation: true,
    });
    key.grant(new iam.ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');

    this.alarmTopic = new sns.Topic(this, 'AlarmTopic', {
      displayName: 'dondoc alarms',
      masterKey: key,
      enforceSSL: true,
    });
    for (const email of props.adminEmails) {
      this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(email));
    }
    const notify = new actions.SnsAction(this.alarmTopic);

    const alarm = (id: string, metric: cloudwatch.IMetric, description: string): void => {
      const created = new cloudwatch.Alarm(this, id, {
        metric,
        alarmDescription: description,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        // No executions in a period is the normal case for monthly workflows, not an unknown state.
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      created.addAlarmAction(notify);
      this.alarms.push(created);
    };

    const period = Duration.minutes(5);
    for (const [name, stateMachine] of Object.entries(props.stateMachines)) {
      alarm(
        `${name}ExecutionsFailed`,
        stateMachine.metricFailed({ period, statistic: cloudwatch.Stats.SUM }),
        `An execution of ${name} failed`,
      );
      alarm(
        `${name}ExecutionsTimedOut`,
        stateMachine.metricTimedOut({ period, statistic: cloudwatch.Stats.SUM }),
        `An execution of ${name} timed out`,
      );
    }
    for (const [name, queue] of Object.entries(props.deadLetterQueues)) {
      alarm(
        `${name}Messages`,
        queue.metricApproximateNumberOfMessagesVisible({ period, statistic: cloudwatch.Stats.MAXIMUM }),
        `${name} holds a start that EventBridge Scheduler could not deliver`,
      );
    }
  }
}
