/**
 * The D08a-TS list (Quyết định 505/QĐ-BHXH): for each organisation, the participants it manages whose
 * voluntary BHXH or household BHYT payment falls due in the coming month, so its collectors can remind them
 * (domain.md section 6).
 *
 * Voluntary BHXH: the next period starts the month after `paidThrough` and may be paid within a window
 * that depends on the payment mode: monthly within the month; 3-monthly within the 3 months; 6-monthly
 * within the first 4 months; 12-monthly within the first 7 months. A participant is listed for every month
 * of an open window, the window's last month marked (after it the period can no longer be paid for).
 * Household BHYT: the card expires in the month.
 */
import { addMonths, periodOf } from '../shared/calendar.ts';
import type { Participant } from './model.ts';

/** Months within which a period of each payment mode may be paid, from its first month. */
export const PAYMENT_WINDOW_MONTHS: Record<1 | 3 | 6 | 12, number> = { 1: 1, 3: 3, 6: 4, 12: 7 };

export interface DueEntry {
  participantId: string;
  name: string;
  product: Participant['product'];
  commune: string;
  /** Voluntary BHXH: the period's months (first to last) and the window's last month. */
  period?: { from: string; to: string; payBy: string; paymentMode: number } | undefined;
  /** Household BHYT: the card's expiry date. */
  cardExpiry?: string | undefined;
  /** The month is the last one in which it can be paid. */
  lastMonth: boolean;
}

/** Who falls due in `month` (YYYY-MM), per managing organisation, each list in participant order. */
export function dueList(participants: readonly Participant[], month: string): Map<string, DueEntry[]> {
  const lists = new Map<string, DueEntry[]>();
  const put = (organisationCode: string, entry: DueEntry) => {
    const list = lists.get(organisationCode);
    if (list) list.push(entry);
    else lists.set(organisationCode, [entry]);
  };
  for (const p of participants) {
    if (p.product === 'BHYT_HGD') {
      if (periodOf(p.cardExpiry) !== month) continue;
      put(p.managedBy, {
        participantId: p.participantId,
        name: p.name,
        product: p.product,
        commune: p.commune,
        cardExpiry: p.cardExpiry,
        lastMonth: true,
      });
      continue;
    }
    const from = addMonths(p.paidThrough, 1);
    const payBy = addMonths(from, PAYMENT_WINDOW_MONTHS[p.paymentMode] - 1);
    if (month < from || month > payBy) continue;
    put(p.managedBy, {
      participantId: p.participantId,
      name: p.name,
      product: p.product,
      commune: p.commune,
      period: { from, to: addMonths(from, p.paymentMode - 1), payBy, paymentMode: p.paymentMode },
      lastMonth: month === payBy,
    });
  }
  for (const list of lists.values()) list.sort((a, b) => a.participantId.localeCompare(b.participantId));
  return lists;
}
