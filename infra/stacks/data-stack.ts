/**
 * Every table in `TABLES`, created from the same declarations the embedded stack uses. Tables hold the
 * ledger, notices and the audit trail, so they outlive the stack (RETAIN) and can be restored to any
 * second of the last 35 days (point-in-time recovery).
 */
import { RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import { TABLES, type KeyDef, type LogicalTableName, type TableDef } from '../../functions/shared/tables.ts';

const attribute = (key: KeyDef): dynamodb.Attribute => ({
  name: key.name,
  type: key.type === 'N' ? dynamodb.AttributeType.NUMBER : dynamodb.AttributeType.STRING,
});

export class DataStack extends Stack {
  readonly tables = {} as Record<LogicalTableName, dynamodb.Table>;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    for (const [logical, def] of Object.entries(TABLES) as [LogicalTableName, TableDef][]) {
      // No fixed physical name: a retained table with a fixed name would block any replacement; handlers
      // get the generated name through TABLE_<LOGICAL>.
      const table = new dynamodb.Table(this, logical, {
        partitionKey: attribute(def.partitionKey),
        sortKey: def.sortKey ? attribute(def.sortKey) : undefined,
        billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        encryption: dynamodb.TableEncryption.AWS_MANAGED,
        deletionProtection: true,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      for (const index of def.indexes) {
        table.addGlobalSecondaryIndex({
          indexName: index.indexName,
          partitionKey: attribute(index.partitionKey),
          sortKey: index.sortKey ? attribute(index.sortKey) : undefined,
          projectionType: dynamodb.ProjectionType.ALL,
        });
      }
      this.tables[logical] = table;
    }
  }
}
