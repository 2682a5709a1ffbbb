/**
 * The one way dondoc builds a Lambda function: Node 22 on arm64, bundled by the local esbuild as ESM,
 * its own log group with a retention, active tracing, and a role that starts with nothing but its own
 * log group (grants are added explicitly by the caller).
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { fromRoot, REPO_ROOT } from './paths.ts';

export interface DondocFunctionProps {
  /** Handler module relative to the repository root; it exports `handler`. */
  entry: string;
  description?: string;
  timeout: Duration;
  memorySize: number;
  environment?: Record<string, string>;
  logRetention?: logs.RetentionDays;
  /**
   * Data files a module resolves at run time through its package (`require.resolve('pkg/package.json')`),
   * copied to `node_modules/<pkg>/` beside the bundle; esbuild bundles code, not data files.
   */
  packageFiles?: PackageFiles[];
}

export interface PackageFiles {
  packageName: string;
  /** Paths inside the package; its package.json is always copied so resolution works. */
  files: string[];
}

/** The DejaVu fonts the C12-TS PDF renderer embeds (functions/c12/notice/pdf.ts). */
export const NOTICE_FONTS: PackageFiles = {
  packageName: 'dejavu-fonts-ttf',
  files: ['ttf/DejaVuSans.ttf', 'ttf/DejaVuSans-Bold.ttf'],
};

const shellQuote = (value: string): string => `'${value.replace(/'/g, `'\\''`)}'`;

function copyPackageFilesCommands(outputDir: string, packages: PackageFiles[]): string[] {
  const require = createRequire(fromRoot('package.json'));
  return packages.flatMap(({ packageName, files }) => {
    const source = dirname(require.resolve(`${packageName}/package.json`));
    const target = join(outputDir, 'node_modules', packageName);
    return ['package.json', ...files].flatMap((file) => [
      `mkdir -p ${shellQuote(dirname(join(target, file)))}`,
      `cp ${shellQuote(join(source, file))} ${shellQuote(join(target, file))}`,
    ]);
  });
}

export class DondocFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: DondocFunctionProps) {
    super(scope, id);

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
      // Logs are operational, not the audit trail (that lives in DynamoDB), so they go with the stack.
      removalPolicy: RemovalPolicy.DESTROY,
    });

    // An own role instead of the AWSLambdaBasicExecutionRole managed policy (AwsSolutions-IAM4): the
    // function may write to its own log group and nothing else until a caller grants more.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${props.entry}`,
    });
    this.logGroup.grantWrite(this.role);

    this.function = new NodejsFunction(this, 'Function', {
      entry: fromRoot(props.entry),
      handler: 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: fromRoot('package-lock.json'),
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      description: props.description,
      timeout: props.timeout,
      memorySize: props.memorySize,
      role: this.role,
      logGroup: this.logGroup,
      tracing: lambda.Tracing.ACTIVE,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node22',
        mainFields: ['module', 'main'],
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        // Ship the SDK versions the tests ran against, not whatever the runtime bundles this month.
        bundleAwsSDK: true,
        // Bundled CommonJS dependencies still call require(); ESM has none, so provide one.
        banner:
          "import { createRequire as __dondocCreateRequire } from 'node:module'; const require = __dondocCreateRequire(import.meta.url);",
        forceDockerBundling: false,
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (_inputDir: string, outputDir: string) =>
            copyPackageFilesCommands(outputDir, props.packageFiles ?? []),
        },
      },
    });

    // X-Ray's PutTraceSegments / PutTelemetryRecords do not support resource-level permissions, so the
    // policy CDK adds for `tracing: ACTIVE` is necessarily on `*`.
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Only the X-Ray actions that tracing: ACTIVE adds (xray:PutTraceSegments, xray:PutTelemetryRecords) use Resource::*; X-Ray does not support resource-level permissions for them.',
    });
    // Node 22 is the runtime the project targets and tests (engines, esbuild target); moving to a newer
    // runtime is a deliberate upgrade, not something a linter should force at synth time.
    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Pinned to nodejs22.x on purpose: the bundle targets node22 and the dependency pins (@middy/core 6, vitest 4.1) are verified for Node 20/22; a runtime upgrade is a tested change of its own.',
    });
  }
}
