#!/usr/bin/env node
// The dondoc CLI runs the TypeScript sources directly through tsx, so there is no build step to forget.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../functions/cli/main.ts');
process.exitCode = await runCli(process.argv.slice(2));
