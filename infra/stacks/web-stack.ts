/**
 * What people reach over HTTP: the approval pages behind a Lambda function URL, the same handler the
 * embedded stack's front door serves on localhost.
 *
 * The function URL has no IAM auth on purpose: an approval link is a capability (144 random bits naming
 * one approval, single use, expiring), followed from an email by an officer with no AWS identity. The page
 * decides nothing on GET; a decision needs the approval's CSRF token from that page.
 */
import { CfnOutput, Duration, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { ArnFormat } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { LogicalTableName } from '../../functions/shared/tables.ts';
import { DondocFunction } from '../constructs/dondoc-function.ts';
import { tableEnvName } from '../constructs/dondoc-workflow.ts';
import { officeEnvironment, type OfficeSettings } from '../constructs/office.ts';

export interface WebStackProps extends StackProps {
  tables: Record<LogicalTableName, dynamodb.ITable>;
  /** Named on the public late-payer list. */
  office: OfficeSettings;
}

/** The workflows whose waiting tasks an approval decision completes. */
const ANSWERS = ['dondoc-CaseApproval', 'dondoc-AgencyDecision'];
const TABLES: LogicalTableName[] = ['Approvals', 'Audit'];

export class WebStack extends Stack {
  readonly approvals: DondocFunction;
  readonly url: lambda.FunctionUrl;
  readonly publicList: DondocFunction;
  readonly publicListUrl: lambda.FunctionUrl;

  constructor(scope: Construct, id: string, props: WebStackProps) {
    super(scope, id, props);
    this.approvals = new DondocFunction(this, 'ApprovalPages', {
      entry: 'functions/approvals/handlers/http.ts',
      description: 'dondoc approval pages (functions/approvals/handlers/http.ts)',
      timeout: Duration.seconds(10),
      memorySize: 512,
      environment: Object.fromEntries(
        TABLES.map((logical) => [tableEnvName(logical), props.tables[logical].tableName]),
      ),
    });
    for (const logical of TABLES) {
      this.approvals.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query'],
          resources: [props.tables[logical].tableArn],
        }),
      );
    }
    this.approvals.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['states:SendTaskSuccess', 'states:SendTaskFailure'],
        resources: ANSWERS.map((name) =>
          this.formatArn({
            service: 'states',
            resource: 'stateMachine',
            resourceName: name,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        ),
      }),
    );
    this.url = this.approvals.function.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.NONE });

    // The public late-payer list: read-only, public by law (Law 41/2024 Art. 35).
    this.publicList = new DondocFunction(this, 'PublicLatePayers', {
      entry: 'functions/escalation/handlers/public-list.ts',
      description: 'dondoc public late-payer list (functions/escalation/handlers/public-list.ts)',
      timeout: Duration.seconds(15),
      memorySize: 512,
      environment: {
        ...officeEnvironment(props.office),
        [tableEnvName('Cases')]: props.tables.Cases.tableName,
      },
    });
    this.publicList.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:Query'],
        resources: [`${props.tables.Cases.tableArn}/index/byStatus`],
      }),
    );
    this.publicListUrl = this.publicList.function.addFunctionUrl({
      authType: lambda.FunctionUrlAuthType.NONE,
    });
    Validations.of(this.publicList).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Only the X-Ray actions DondocFunction adds for tracing, which have no resource-level permissions.',
    });
    new CfnOutput(this, 'PublicLatePayersUrl', {
      value: this.publicListUrl.url,
      description: 'The public late-payer list (append cong-khai/cham-dong)',
    });
    Validations.of(this.approvals).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Only the X-Ray actions DondocFunction adds for tracing, which have no resource-level permissions.',
    });
    new CfnOutput(this, 'ApprovalPagesUrl', {
      value: this.url.url,
      description: 'Base of the approval links in mail',
    });
  }
}
