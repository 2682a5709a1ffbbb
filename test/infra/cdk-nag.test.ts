/**
 * AwsSolutions checks (cdk-nag 3, a CDK validation plugin) pass on the whole app, every acknowledgement is
 * reasoned, and the acknowledged wildcards hide nothing but what they say.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Validations } from 'aws-cdk-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../infra/constructs/paths.ts';
import { createDondocApp, type DondocApp } from '../../infra/stacks/dondoc-app.ts';

const cdkContext = (JSON.parse(readFileSync(join(REPO_ROOT, 'cdk.json'), 'utf8')) as { context: object })
  .context;
const synth = (): DondocApp => createDondocApp({ context: { ...cdkContext, 'aws:cdk:bundling-stacks': [] } });

interface ReportViolation {
  ruleName: string;
  severity?: string;
}
interface ValidationReport {
  pluginReports: { pluginName?: string; summary?: { pluginName?: string }; violations?: ReportViolation[] }[];
}

let dondoc: DondocApp;
let assemblyDir: string;

beforeAll(() => {
  dondoc = synth();
  // In a test process CDK runs validation plugins in memory and throws on any error-level finding, so
  // reaching the next line already means no unacknowledged AwsSolutions error.
  assemblyDir = dondoc.app.synth().directory;
});

describe('cdk-nag AwsSolutions', () => {
  it('passes with a concrete account and region too, as cdk synth and deploy set them', () => {
    const saved = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };
    process.env.CDK_DEFAULT_ACCOUNT = '123456789012';
    process.env.CDK_DEFAULT_REGION = 'ap-southeast-1';
    try {
      const concrete = synth();
      // Throws on an unacknowledged error: an acknowledgement naming an ARN must match its rendering here.
      concrete.app.synth();
      const report = concrete.nag.validateScope(concrete.app);
      expect(report.violations.filter((v) => v.severity === 'error').map((v) => v.ruleName)).toEqual([]);
    } finally {
      for (const [key, value] of [
        ['CDK_DEFAULT_ACCOUNT', saved.account],
        ['CDK_DEFAULT_REGION', saved.region],
      ] as const) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  });

  it('reports no unacknowledged error or warning anywhere in the app', () => {
    const report = dondoc.nag.validateScope(dondoc.app);
    const findings = report.violations.map(
      (violation) =>
        `${violation.severity} ${violation.ruleName}: ${violation.violatingResources.map((r) => r.constructPath).join(', ')}`,
    );
    expect(findings).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('leaves no violation in the validation report of the cloud assembly', () => {
    const file = join(assemblyDir, 'validation-report.json');
    expect(existsSync(file)).toBe(true);
    const report = JSON.parse(readFileSync(file, 'utf8')) as ValidationReport;
    const violations = report.pluginReports.flatMap((plugin) => plugin.violations ?? []);
    expect(violations.map((violation) => violation.ruleName)).toEqual([]);
  });

  it('leaves no CDK error or warning annotation on any stack', () => {
    for (const stack of [dondoc.data, dondoc.web, dondoc.workflows, dondoc.monitoring]) {
      const annotations = Annotations.fromStack(stack);
      expect(annotations.findError('*', Match.anyValue()), stack.stackName).toEqual([]);
      // cdk.json is the demo office, which the app flags on purpose (test/infra/stacks.test.ts).
      const warnings = annotations
        .findWarning('*', Match.anyValue())
        .filter((warning) => !String(warning.entry.data).includes('dondoc:demoOffice'));
      expect(warnings, stack.stackName).toEqual([]);
    }
  });

  it('is registered on the app: an unencrypted queue fails the synth', () => {
    const probe = synth();
    new sqs.Queue(probe.workflows, 'UnencryptedProbe', { encryption: sqs.QueueEncryption.UNENCRYPTED });
    expect(() => probe.app.synth()).toThrow(/AwsSolutions-SQS2/);
    const rules = probe.nag.validateScope(probe.app).violations.map((violation) => violation.ruleName);
    expect(rules).toContain('AwsSolutions-SQS2');
  });
});

describe('acknowledgements', () => {
  const acknowledgements = (): { path: string; id: string; reason: string }[] =>
    dondoc.app.node.findAll().flatMap((construct) =>
      construct.node.metadata
        .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .flatMap((entry) =>
          Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
            path: construct.node.path,
            id: id.replace(/^annotation::/i, ''),
            reason,
          })),
        ),
    );

  it('each names one AwsSolutions rule (or one finding of it) with a specific reason', () => {
    const acks = acknowledgements();
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      expect(ack.id, ack.path).toMatch(/^AwsSolutions-[A-Z]+\d+(\[[^\]]+\])?$/);
      // A reason says what is accepted and why; a word or two is not a justification.
      expect(ack.reason.length, `${ack.path} ${ack.id}`).toBeGreaterThanOrEqual(80);
    }
  });

  it('acknowledges no rule wholesale on a stack or the app, only on the constructs concerned', () => {
    for (const ack of acknowledgements()) expect(ack.path.split('/').length, ack.id).toBeGreaterThan(1);
  });

  it('the acknowledged Resource::* covers only X-Ray and log-delivery actions', () => {
    // X-Ray and the CloudWatch Logs delivery APIs have no resource-level permissions; anything else on
    // `*` would hide behind the IAM5[Resource::*] acknowledgement, so it must fail here.
    const allowedOnWildcard =
      /^(xray:(PutTraceSegments|PutTelemetryRecords|GetSamplingRules|GetSamplingTargets)|logs:(CreateLogDelivery|GetLogDelivery|UpdateLogDelivery|DeleteLogDelivery|ListLogDeliveries|PutResourcePolicy|DescribeResourcePolicies|DescribeLogGroups))$/;
    let wildcardStatements = 0;
    for (const stack of [dondoc.data, dondoc.web, dondoc.workflows, dondoc.monitoring]) {
      const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy');
      for (const policy of Object.values(policies) as {
        Properties: { PolicyDocument: { Statement: { Action: string | string[]; Resource: unknown }[] } };
      }[]) {
        for (const statement of policy.Properties.PolicyDocument.Statement) {
          const resources = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
          if (!resources.includes('*')) continue;
          wildcardStatements++;
          const actions = Array.isArray(statement.Action) ? statement.Action : [statement.Action];
          expect(actions.filter((action) => !allowedOnWildcard.test(action))).toEqual([]);
        }
      }
    }
    expect(wildcardStatements).toBeGreaterThan(0);
  });
});
