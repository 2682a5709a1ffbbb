/**
 * Money is whole VND held in JavaScript numbers, which are exact for integers below 2^53 (9e15 VND, far
 * above any employer's ledger). Every operation that could leave that range or produce a fraction is here.
 */
import { RATE_DENOMINATOR } from '../c12/policy.ts';

export class MoneyRangeError extends Error {
  override name = 'MoneyRangeError';
}

function assertSafe(value: number, what: string): void {
  if (!Number.isSafeInteger(value))
    throw new MoneyRangeError(`${what} ${value} is outside the exact integer range`);
}

/**
 * round_half_up(numerator / RATE_DENOMINATOR) for a non-negative integer numerator, e.g. a base in VND
 * times a rate in pcm. Integer-only: no binary fraction ever touches the amount.
 */
export function roundHalfUpPcm(numerator: number): number {
  assertSafe(numerator, 'amount x rate');
  if (numerator < 0) return -roundHalfUpPcm(-numerator);
  return Math.floor((numerator + RATE_DENOMINATOR / 2) / RATE_DENOMINATOR);
}

/** base x rate (pcm), rounded half up to whole VND. */
export function applyRate(base: number, ratePcm: number): number {
  return roundHalfUpPcm(base * ratePcm);
}

export function sum(values: Iterable<number>): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}
