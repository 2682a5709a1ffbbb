/**
 * Where a .cpuprofile spends its time: top functions by self time, and self time grouped by component
 * (package, or the project's folder), so a whole run's profile reads as "PDF x%, SES emulator y%, ...".
 *
 *   node --import tsx bench/cpuprofile-summary.ts FILE.cpuprofile [more…] [--top 25]
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: 'string', default: '25' } },
});

/** A readable component name for a script URL: the npm package, or the project's folder. */
export function component(url: string, functionName: string): string {
  if (!url) {
    if (functionName === '(garbage collector)') return '(gc)';
    if (functionName === '(idle)' || functionName === '(program)') return functionName;
    return '(native/builtin)';
  }
  const path = url.replace(/^file:\/\//, '');
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(
    path.split('node_modules/').length > 2 ? path.slice(path.lastIndexOf('node_modules/')) : path,
  );
  if (pkg) {
    const name = pkg[1]!;
    if (name.startsWith('@aws-sdk/') || name.startsWith('@smithy/') || name.startsWith('@aws-crypto/'))
      return 'aws-sdk (+smithy)';
    return name;
  }
  if (path.startsWith('node:')) return `node:${path.slice(5).split('/')[0]}`;
  const project = /\/(functions\/[^/]+\/(?:notice|handlers)?|infra\/local|bench|functions\/shared)\b/.exec(
    path,
  );
  if (project) return project[1]!.replace(/\/$/, '');
  return path;
}

/** The cost centres, by the packages or project folders that make them up. */
const BUCKETS: Array<[string, RegExp]> = [
  [
    'SES emulator (aws-ses-v2-local, mailparser, express)',
    /node_modules\/(aws-ses-v2-local|mailparser|@zone-eu|linkify-it|libmime|libbase64|libqp|html-to-text|iconv-lite|encoding-japanese|he|tlds|punycode\.js|express|body-parser|raw-body|router|handlebars|selderee|parseley|htmlparser2|domhandler)\//,
  ],
  [
    'dynalite (+LevelDB)',
    /node_modules\/(dynalite|level|classic-level|abstract-level|memory-level|level-transcoder|module-error|big\.js|buffer-crc32|lazy|async|lock|once|maybe-combine-errors)\//,
  ],
  [
    'Step Functions engine (local)',
    /node_modules\/(aws-local-stepfunctions|asl-validator|jsonpath-plus|ajv)\/|infra\/local\/sfn-/,
  ],
  [
    'PDF rendering (notice/pdf*, fontkit, pdfkit)',
    /functions\/c12\/notice\/pdf|node_modules\/(pdfkit|fontkit|restructure|unicode-trie|@swc\/helpers|dfa|tiny-inflate|brotli|clone|unicode-properties|linebreak|png-js|crypto-js|jpeg-exif)\//,
  ],
  ['MIME building (notice/mime, nodemailer)', /functions\/c12\/notice\/mime|node_modules\/nodemailer\//],
  ['notice text/email (notice/*)', /functions\/c12\/notice\//],
  ['engine (account, charges, policy)', /functions\/c12\/(account|charges|policy|model)\.ts/],
  ['zod (validation)', /node_modules\/zod\//],
  ['AWS SDK (+smithy)', /node_modules\/(@aws-sdk|@smithy|@aws-crypto|fast-xml-parser|bowser|tslib|uuid)\//],
  ['handlers, repository, batch (functions/*)', /\/functions\//],
  ['lambda wrappers (middy, powertools)', /node_modules\/(@middy|@aws-lambda-powertools)\//],
];
// A sample whose stack passes through an emulator is the emulator's (its zod, Buffer and stream work too).
const EMULATOR_BUCKETS = new Set([BUCKETS[0]![0], BUCKETS[1]![0]]);

function bucketOf(url: string): string | undefined {
  for (const [name, pattern] of BUCKETS) if (pattern.test(url)) return name;
  return undefined;
}

for (const file of positionals) {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  // Native code (builtins, writev, regexps) has no script: charge it to the nearest caller that has one,
  // so "the SDK's Buffer copies" count as the SDK's.
  const owner = (id: number): CallFrame => {
    const own = byId.get(id)!.callFrame;
    if ((own.url && !own.url.startsWith('node:')) || own.functionName.startsWith('(')) return own;
    for (let up = parentOf.get(id); up !== undefined; up = parentOf.get(up)) {
      const frame = byId.get(up)!.callFrame;
      if (frame.url && !frame.url.startsWith('node:')) return frame;
    }
    return own;
  };
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const totalUs = profile.endTime - profile.startTime;
  let idleUs = 0;
  const byFunction = new Map<string, number>();
  const byComponent = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const { callFrame } = byId.get(id)!;
    if (callFrame.functionName === '(idle)') {
      idleUs += us;
      continue;
    }
    const where = callFrame.url
      ? `${callFrame.url.split('/').slice(-3).join('/')}:${callFrame.lineNumber + 1}`
      : `[in ${owner(id).url.split('/').slice(-3).join('/')}]`;
    const key = `${callFrame.functionName || '(anonymous)'} ${where}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
    const charged = owner(id);
    const comp = component(charged.url, charged.functionName);
    byComponent.set(comp, (byComponent.get(comp) ?? 0) + us);
  }
  const busyUs = totalUs - idleUs;
  const bucketCache = new Map<number, string>();
  const bucketOfNode = (id: number): string => {
    const cached = bucketCache.get(id);
    if (cached) return cached;
    let leafMost: string | undefined;
    let emulator: string | undefined;
    for (let at: number | undefined = id; at !== undefined; at = parentOf.get(at)) {
      const frame = byId.get(at)!.callFrame;
      const bucket = frame.url ? bucketOf(frame.url) : undefined;
      if (bucket && !leafMost) leafMost = bucket;
      if (bucket && EMULATOR_BUCKETS.has(bucket)) emulator ??= bucket;
    }
    const own = byId.get(id)!.callFrame.functionName;
    const result =
      own === '(garbage collector)'
        ? '(gc)'
        : own === '(program)'
          ? '(program: V8/native, no JS frame)'
          : (emulator ?? leafMost ?? 'node internals (http, streams, timers)');
    bucketCache.set(id, result);
    return result;
  };
  const byBucket = new Map<string, number>();
  for (const [id, us] of selfUs) {
    if (byId.get(id)!.callFrame.functionName === '(idle)') continue;
    const bucket = bucketOfNode(id);
    byBucket.set(bucket, (byBucket.get(bucket) ?? 0) + us);
  }
  const pct = (us: number) => `${((us / busyUs) * 100).toFixed(1).padStart(5)}%`;
  const ms = (us: number) => `${Math.round(us / 1000)} ms`.padStart(10);
  console.log(
    `\n${basename(file)}: ${(totalUs / 1e6).toFixed(1)} s profiled, ${(busyUs / 1e6).toFixed(1)} s busy ` +
      `(${((busyUs / totalUs) * 100).toFixed(0)}%), idle ${(idleUs / 1e6).toFixed(1)} s; percentages of busy time`,
  );
  console.log('  by cost centre (a sample counts for an emulator when its stack passes through one):');
  for (const [name, us] of [...byBucket].sort((a, b) => b[1] - a[1]))
    console.log(`    ${pct(us)} ${ms(us)}  ${name}`);
  console.log('  self time by package/folder (native code charged to its caller):');
  for (const [name, us] of [...byComponent].sort((a, b) => b[1] - a[1]).slice(0, 20))
    console.log(`    ${pct(us)} ${ms(us)}  ${name}`);
  console.log(`  top ${values.top} functions by self time:`);
  for (const [name, us] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top)))
    console.log(`    ${pct(us)} ${ms(us)}  ${name}`);
}
