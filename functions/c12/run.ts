/**
 * A monthly run is named after its period and its execution: the same execution re-run after a crash
 * rewrites the same run records, while a new execution for the same period gets its own (its notices are
 * still found by employer#period and not sent twice).
 */
export function runIdFor(period: string, executionId: string): string {
  const executionName = executionId.split(':').at(-1) ?? executionId;
  return `C12#${period}#${executionName}`;
}
