// aws-local-stepfunctions 3 uses Promise.withResolvers, which Node 20 lacks.
import '../infra/local/polyfills.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

// Each test file gets its own temporary folder, removed after it: a CDK App with no outdir synthesizes into a
// new folder of os.tmpdir() that nothing removes (2 MB each with the bundled functions).
const testTmp = mkdtempSync(join(tmpdir(), 'dondoc-test-'));
process.env.TMPDIR = testTmp;
// Registered first, so it runs after the file's own afterAll hooks (they stop their stacks first).
afterAll(() => rmSync(testTmp, { recursive: true, force: true }));
