/**
 * Writes a sample C12-TS notice (the November 2026 worked example) and measures the per-employer cost of the
 * notice: rendering the PDF and the email around it (SES assembles the MIME), since a monthly run does both
 * for every employer.
 *
 *   node --import tsx bench/notice-pdf.ts [out.pdf] [iterations]
 *
 * CPU time (process.cpuUsage) is the figure that matters: on a shared machine wall time mostly measures the
 * neighbours.
 */
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { buildNoticeEmail } from '../functions/c12/notice/email.ts';
import { renderNoticePdf } from '../functions/c12/notice/pdf.ts';
import { noticeInput } from '../test/unit/c12/notice/fixtures.ts';

const out = process.argv[2] ?? 'c12-ts-sample.pdf';
const iterations = Number(process.argv[3] ?? 500);
const input = noticeInput();

async function measure(run: () => Promise<unknown>): Promise<{ wallMs: number; cpuMs: number }> {
  // Warm-up so the JIT and the per-process caches (font subset, kerning pairs) are in the steady state a
  // batch handler sees.
  for (let i = 0; i < 20; i++) await run();
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  for (let i = 0; i < iterations; i++) await run();
  const cpu = process.cpuUsage(cpuStart);
  return {
    wallMs: (performance.now() - start) / iterations,
    cpuMs: (cpu.user + cpu.system) / 1000 / iterations,
  };
}

const first = performance.now();
const firstCpu = process.cpuUsage();
const pdf = await renderNoticePdf(input);
const cold = { wallMs: performance.now() - first, cpuMs: process.cpuUsage(firstCpu).user / 1000 };
writeFileSync(out, pdf);

const pdfCost = await measure(() => renderNoticePdf(input));

const emailCost = await measure(() => buildNoticeEmail(input));

const ms = (value: number) => value.toFixed(2);
console.log(
  `wrote ${out} (${pdf.length} bytes); first render ${ms(cold.wallMs)} ms (${ms(cold.cpuMs)} ms CPU, ` +
    `fonts and subset included); over ${iterations} runs each:`,
);
console.log(`  PDF:   ${ms(pdfCost.cpuMs)} ms CPU per notice (${ms(pdfCost.wallMs)} ms wall)`);
console.log(
  `  email: ${ms(emailCost.cpuMs)} ms CPU per notice, PDF included (${ms(emailCost.wallMs)} ms wall)`,
);
