/**
 * The one test that really bundles: a single registry function through the shared function construct,
 * with the local esbuild (no Docker). The bundle must be ESM and must load in Node with `handler` exported,
 * which catches a broken ESM/CommonJS mix (e.g. a dependency calling require) before a deployment does.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, Duration, Stack, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { DondocFunction } from '../../infra/constructs/dondoc-function.ts';
import { REPO_ROOT } from '../../infra/constructs/paths.ts';
import { WORKFLOWS } from '../../workflows/registry.ts';

const cdkContext = (JSON.parse(readFileSync(join(REPO_ROOT, 'cdk.json'), 'utf8')) as { context: object })
  .context;

describe('function bundling', () => {
  // The smallest handler keeps the one real esbuild run short.
  const spec = WORKFLOWS.MonthlyC12Notices.functions.PrepareRunFunctionArn;

  it(`bundles ${spec.entry} as an ESM module that loads and exports handler`, { timeout: 180_000 }, () => {
    const app = new App({ context: cdkContext });
    const stack = new Stack(app, 'BundlingProbe');
    const fn = new DondocFunction(stack, 'PrepareRun', {
      entry: spec.entry,
      timeout: Duration.seconds(spec.timeoutSeconds),
      memorySize: spec.memoryMb,
    });
    const assembly = app.synth();

    const logicalId = stack.resolve(
      stack.getLogicalId(fn.function.node.defaultChild as CfnElement),
    ) as string;
    const code = Template.fromStack(stack).toJSON().Resources[logicalId].Properties.Code as { S3Key: string };
    const assetDir = join(assembly.directory, `asset.${code.S3Key.replace(/\.zip$/, '')}`);
    const bundle = join(assetDir, 'index.mjs');
    expect(existsSync(bundle), `${bundle} exists`).toBe(true);
    expect(existsSync(`${bundle}.map`)).toBe(true);

    // ESM output: an export statement, and no CommonJS wrapper assigning module.exports.
    const text = readFileSync(bundle, 'utf8');
    expect(/\bexport\s*\{/.test(text), 'bundle has an ESM export').toBe(true);
    expect(/\bmodule\.exports\s*=\s*__toCommonJS/.test(text), 'bundle is not CommonJS').toBe(false);

    // Load it in a fresh Node process from the cloud assembly, which has no node_modules above it: any
    // import esbuild left unresolved fails here as it would in the Lambda package.
    const loaded = execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const m = await import(${JSON.stringify(pathToFileURL(bundle).href)}); console.log(typeof m.handler);`,
      ],
      { encoding: 'utf8', cwd: assetDir, env: { ...process.env, AWS_REGION: 'ap-southeast-1' } },
    );
    expect(loaded.trim()).toBe('function');
  });
});
