/** How the bench prints: a figure per line (label, value, and the target with PASS/FAIL). */
export type Line = (label: string, value: string, target?: string, ok?: boolean) => void;

/** A number as the bench prints it: thousands separated, `digits` decimals. */
export const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
