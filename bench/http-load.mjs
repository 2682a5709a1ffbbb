/**
 * An HTTP load generator in its own process (so the server under test does not share its event loop with
 * the clients): N clients, each on its own keep-alive connection, in a closed loop for WARMUP + S seconds
 * over the targets in a JSON file, printing one JSON line with the latency percentiles and the status
 * counts of the last S seconds (steady state), and the p99 of the warm-up for the record.
 * node:http rather than fetch: it costs the shared CPU less per request.
 *
 *   node bench/http-load.mjs TARGETS.json CLIENTS SECONDS [WARMUP_SECONDS]
 *   TARGETS.json: { "mode": "get" | "post", "targets": [{ "url": "...", "body"?: "form=encoded" }] }
 *   (post: each target is used once; the run ends early when they run out)
 */
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';

const [file, clientsArg, secondsArg, warmupArg = '0'] = process.argv.slice(2);
if (!file || !clientsArg || !secondsArg) throw new Error('usage: http-load.mjs TARGETS.json CLIENTS SECONDS');
const { mode, targets } = JSON.parse(readFileSync(file, 'utf8'));
const clients = Number(clientsArg);
const agent = new Agent({ keepAlive: true, maxSockets: clients });

function send(target) {
  return new Promise((resolve, reject) => {
    const url = new URL(target.url);
    const body = target.body ?? '';
    const req = request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: mode === 'get' ? 'GET' : 'POST',
        headers:
          mode === 'get'
            ? {}
            : {
                'content-type': 'application/x-www-form-urlencoded',
                'content-length': Buffer.byteLength(body),
              },
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode));
      },
    );
    req.on('error', reject);
    req.end(mode === 'get' ? undefined : body);
  });
}

const latencies = [];
const warmupLatencies = [];
const statuses = {};
let next = 0;
const warmUntil = performance.now() + Number(warmupArg) * 1000;
const until = warmUntil + Number(secondsArg) * 1000;
await Promise.all(
  Array.from({ length: clients }, async () => {
    while (performance.now() < until) {
      const target = mode === 'get' ? targets[next++ % targets.length] : targets[next++];
      if (!target) return;
      const begin = performance.now();
      const status = await send(target);
      // A request that began in the warm-up counts there, even if it ended after.
      if (begin < warmUntil) warmupLatencies.push(performance.now() - begin);
      else {
        latencies.push(performance.now() - begin);
        statuses[status] = (statuses[status] ?? 0) + 1;
      }
    }
  }),
);
const elapsed = (performance.now() - warmUntil) / 1000;
agent.destroy();
const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
};
console.log(
  JSON.stringify({
    count: latencies.length,
    seconds: elapsed,
    p50: percentile(latencies, 50),
    p90: percentile(latencies, 90),
    p99: percentile(latencies, 99),
    max: percentile(latencies, 100),
    warmup: { count: warmupLatencies.length, p99: percentile(warmupLatencies, 99) },
    statuses,
  }),
);
