/** CDK app entry: `npx cdk synth` / `npx cdk deploy` run this through cdk.json. */
import { createDondocApp } from './stacks/dondoc-app.ts';

createDondocApp().app.synth();
