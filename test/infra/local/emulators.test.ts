/**
 * The embedded stack's emulators, for real: dynalite on disk (tables from the TABLES contract, kept across
 * a restart on the same data folder) and aws-ses-v2-local (mails visible at GET /store).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { TABLES } from '../../../functions/shared/tables.ts';
import { ensureTables, IncompatibleDataError } from '../../../infra/local/emulators.ts';
import { FREE_PORTS, startLocalStack } from '../../../infra/local/stack.ts';
import type { LocalStack } from '../../../infra/local/stack.ts';
import { tempDataDir } from './helpers.ts';

interface StoredEmail {
  messageId: string;
  from: string;
  subject: string;
  destination: { to: string[] };
  body: { text?: string; html?: string };
  attachments: Array<{ filename?: string; contentType: string }>;
}

describe('emulators of the embedded stack', () => {
  const data = tempDataDir();
  let stack: LocalStack;

  beforeAll(async () => {
    stack = await startLocalStack({ dataDir: data.dir, ports: FREE_PORTS });
  });
  afterAll(async () => {
    await stack?.stop();
    data.remove();
  });

  it('creates every table of the contract with its keys and GSIs, reachable through AWS_ENDPOINT_URL_DYNAMODB', async () => {
    expect(process.env.AWS_ENDPOINT_URL_DYNAMODB).toBe(stack.endpoints.dynamodb);
    const dynamo = new DynamoDBClient({});
    for (const def of Object.values(TABLES)) {
      const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: def.logicalName }));
      expect(Table?.TableStatus).toBe('ACTIVE');
      expect(Table?.KeySchema).toContainEqual({ AttributeName: def.partitionKey.name, KeyType: 'HASH' });
      if ('sortKey' in def)
        expect(Table?.KeySchema).toContainEqual({ AttributeName: def.sortKey.name, KeyType: 'RANGE' });
      expect((Table?.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName).sort()).toEqual(
        def.indexes.map((i) => i.indexName).sort(),
      );
    }
    dynamo.destroy();
  });

  it('keeps tables and items across a restart on the same data folder', async () => {
    let dynamo = new DynamoDBClient({});
    await dynamo.send(
      new PutItemCommand({
        TableName: 'Employers',
        Item: {
          employerId: { S: 'TA0001A' },
          partition: { S: 'phuong-1' },
          name: { S: 'Công ty TNHH Đà Lạt Xanh' },
        },
      }),
    );
    dynamo.destroy();
    await stack.stop();

    stack = await startLocalStack({ dataDir: data.dir, ports: FREE_PORTS });
    dynamo = new DynamoDBClient({});
    const { Item } = await dynamo.send(
      new GetItemCommand({ TableName: 'Employers', Key: { employerId: { S: 'TA0001A' } } }),
    );
    expect(Item?.name?.S).toBe('Công ty TNHH Đà Lạt Xanh');
    const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: 'Employers' }));
    expect(Table?.GlobalSecondaryIndexes?.[0]?.IndexName).toBe('byPartition');
    dynamo.destroy();
  });

  it('refuses a data folder whose table has other keys than this version, saying what to do', async () => {
    const dynamo = new DynamoDBClient({});
    await dynamo.send(
      new CreateTableCommand({
        TableName: 'OldLedger',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'employerId', AttributeType: 'S' },
          { AttributeName: 'entryKey', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'employerId', KeyType: 'HASH' },
          { AttributeName: 'entryKey', KeyType: 'RANGE' },
        ],
      }),
    );
    await expect(ensureTables(dynamo, [TABLES.Ledger], { TABLE_LEDGER: 'OldLedger' })).rejects.toThrow(
      new IncompatibleDataError(
        'Table OldLedger in the data folder is keyed (employerId, entryKey); this version of dondoc keys it ' +
          '(partition, employerEntry). The folder was written by an older version: delete it (it holds the ' +
          'demo data only) and start again.',
      ),
    );
    dynamo.destroy();
  });

  it('delivers SESv2 SendEmail (Simple and Raw) to the mailbox at GET /store', async () => {
    const ses = new SESv2Client({});
    const simple = await ses.send(
      new SendEmailCommand({
        FromEmailAddress: 'thongbao@bhxh-demo.vn',
        Destination: { ToAddresses: ['ketoan@dalatxanh.vn'] },
        Content: {
          Simple: {
            Subject: { Data: 'Thông báo C12-TS tháng 05/2025', Charset: 'UTF-8' },
            Body: { Text: { Data: 'Số tiền phải đóng: 12.345.000 đồng', Charset: 'UTF-8' } },
          },
        },
      }),
    );
    const mime = [
      'From: thongbao@bhxh-demo.vn',
      'To: ketoan@dalatxanh.vn',
      'Subject: Raw C12 notice',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b1"',
      '',
      '--b1',
      'Content-Type: text/plain; charset=UTF-8',
      '',
      'See the attached notice.',
      '--b1',
      'Content-Type: application/pdf; name="c12.pdf"',
      'Content-Disposition: attachment; filename="c12.pdf"',
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.from('%PDF-1.4 toy').toString('base64'),
      '--b1--',
      '',
    ].join('\r\n');
    const raw = await ses.send(
      new SendEmailCommand({
        FromEmailAddress: 'thongbao@bhxh-demo.vn',
        Destination: { ToAddresses: ['ketoan@dalatxanh.vn'] },
        Content: { Raw: { Data: new TextEncoder().encode(mime) } },
      }),
    );
    ses.destroy();

    const store = (await (await fetch(stack.sesStoreUrl)).json()) as { emails: StoredEmail[] };
    const bySimple = store.emails.find((e) => e.messageId === simple.MessageId);
    expect(bySimple?.subject).toBe('Thông báo C12-TS tháng 05/2025');
    expect(bySimple?.body.text).toContain('12.345.000');
    expect(bySimple?.destination.to).toContain('ketoan@dalatxanh.vn');
    const byRaw = store.emails.find((e) => e.messageId === raw.MessageId);
    expect(byRaw?.subject).toBe('Raw C12 notice');
    expect(byRaw?.attachments.map((a) => a.filename)).toEqual(['c12.pdf']);
  });
});
