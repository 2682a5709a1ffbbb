/**
 * Writes a sample C12-TS notice (the November 2026 worked example) and measures rendering time, since a
 * monthly run renders one per employer.
 *
 *   node --import tsx bench/notice-pdf.ts [out.pdf] [iterations]
 */
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { renderNoticePdf } from '../functions/c12/notice/pdf.ts';
import { noticeInput } from '../test/unit/c12/notice/fixtures.ts';

const out = process.argv[2] ?? 'c12-ts-sample.pdf';
const iterations = Number(process.argv[3] ?? 500);
const input = noticeInput();

const first = performance.now();
const pdf = await renderNoticePdf(input);
const coldMs = performance.now() - first;
writeFileSync(out, pdf);

// Warm-up so the JIT and pdfkit's per-process caches are in the steady state a batch handler sees.
for (let i = 0; i < 20; i++) await renderNoticePdf(input);
const start = performance.now();
// CPU time as well: on a shared machine wall time mostly measures the neighbours.
const cpuStart = process.cpuUsage();
for (let i = 0; i < iterations; i++) await renderNoticePdf(input);
const perPdf = (performance.now() - start) / iterations;
const cpu = process.cpuUsage(cpuStart);
const cpuPerPdf = (cpu.user + cpu.system) / 1000 / iterations;

console.log(
  `wrote ${out} (${pdf.length} bytes); first render ${coldMs.toFixed(1)} ms; ` +
    `${perPdf.toFixed(2)} ms per PDF (${cpuPerPdf.toFixed(2)} ms CPU) over ${iterations} renders`,
);
