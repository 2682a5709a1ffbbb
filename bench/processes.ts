/**
 * The bench's view of its processes, from /proc (Linux): the emulators' child and whatever it starts, their
 * CPU and memory, and what the CPU a unit of work costs allows on this machine.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { fmt, type Line } from './report.ts';

/** Every descendant of this process (the emulators' child, and whatever it starts). */
export function descendants(root = process.pid): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Field 4 (ppid) follows the parenthesised command, which may itself hold spaces.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parentOf.set(Number(entry), ppid);
    } catch {
      // Exited while listing.
    }
  }
  const found: number[] = [];
  const frontier = [root];
  while (frontier.length > 0) {
    const parent = frontier.pop()!;
    for (const [pid, ppid] of parentOf) {
      if (ppid !== parent) continue;
      found.push(pid);
      frontier.push(pid);
    }
  }
  return found;
}

/** User + system CPU seconds a process has used so far (/proc/PID/stat fields 14 and 15, in clock ticks). */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}
/** sysconf(_SC_CLK_TCK): 100 on Linux. */
const CLOCK_TICKS = 100;

export function statusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(
      readFileSync(`/proc/${pid}/status`, 'utf8'),
    );
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/** Resets the kernel's peak-RSS mark (VmHWM) so seeding does not count in the run's peak. */
export function resetPeak(pid: number): void {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
  } catch {
    // Not permitted here: the peak then includes seeding (an over-estimate, never an under-estimate).
  }
}

/**
 * CPU per unit of work in this process (the handlers and the engine) and in the emulators, and the two
 * bounds they set: all cores busy, and this process's one thread busy (the handlers run on it).
 */
export function printCpuBounds(
  line: Line,
  unit: string,
  count: number,
  mainCpuSeconds: number,
  childCpuSeconds: number,
  indent = '',
  handlerThreads = 0,
): void {
  const per = (seconds: number) => (seconds / Math.max(1, count)) * 1000;
  const main = per(mainCpuSeconds);
  const child = per(childCpuSeconds);
  line(`${indent}CPU/${unit}, handlers+emulators`, `${fmt(main, 2)} + ${fmt(child, 2)} ms`);
  line(
    `${indent}  bound: ${availableParallelism()} cores busy`,
    `${fmt((availableParallelism() * 1000) / (main + child))} ${unit}s/s`,
  );
  // The handlers' process CPU includes the engine's thread: an upper bound, close when the engine is idle.
  const threads = Math.max(1, Math.min(handlerThreads, availableParallelism()));
  line(
    `${indent}  bound: ${threads} handler thread${threads > 1 ? 's' : ''} busy`,
    `${fmt((threads * 1000) / main)} ${unit}s/s`,
  );
}

/**
 * Runs a seeding script of bench/ in its own process (so its data does not count in this one's memory) and
 * returns the JSON line it prints last.
 */
export function seedInChild<T extends { seconds: number }>(script: string, args: string[]): T {
  const seed = spawnSync(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(new URL(`./${script}`, import.meta.url)), ...args],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], env: process.env },
  );
  if (seed.status !== 0) throw new Error(`seeding failed (exit ${seed.status})`);
  return JSON.parse(seed.stdout.trim().split('\n').at(-1)!) as T;
}
