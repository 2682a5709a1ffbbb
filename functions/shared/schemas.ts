/** zod pieces every handler's event schema shares. */
import { z } from 'zod';

/** A calendar month, YYYY-MM (a C12 period, a review month). */
export const MONTH_PATTERN = /^\d{4}-(0[1-9]|1[0-2])$/;
export const monthSchema = z.string().regex(MONTH_PATTERN, 'must be a month YYYY-MM');
