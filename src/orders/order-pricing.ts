import { OrderAmountTooLargeError } from './orders.errors';

/**
 * Order arithmetic, in integer minor units only. Tax is computed per line on
 * the line's net amount and rounded half up to the cent (half a cent or more
 * rounds up; amounts are never negative): 1 × 0.05 at 1000 bps is 0.005 → 0.01.
 * The order's tax is the sum of its lines' tax. An amount beyond exact
 * integers (2^53 - 1) is refused (400), never rounded.
 */
export interface PricedLineInput {
  unitPriceCents: number;
  quantity: number;
  taxRateBps: number;
}

export interface LineAmounts {
  subtotalCents: number;
  taxCents: number;
  totalCents: number;
}

const BPS_PER_UNIT = 10_000n;

/** `amountCents × rateBps / 10 000`, rounded half up, exact for any amount (BigInt). */
export function taxCents(amountCents: number, rateBps: number): number {
  const scaled = BigInt(amountCents) * BigInt(rateBps);
  return toSafeNumber((scaled + BPS_PER_UNIT / 2n) / BPS_PER_UNIT);
}

export function lineAmounts({ unitPriceCents, quantity, taxRateBps }: PricedLineInput): LineAmounts {
  const subtotalCents = toSafeNumber(BigInt(unitPriceCents) * BigInt(quantity));
  const tax = taxCents(subtotalCents, taxRateBps);
  return { subtotalCents, taxCents: tax, totalCents: toSafeNumber(BigInt(subtotalCents) + BigInt(tax)) };
}

export function orderAmounts(lines: readonly LineAmounts[]): LineAmounts {
  const sum = (pick: (line: LineAmounts) => number) =>
    toSafeNumber(lines.reduce((total, line) => total + BigInt(pick(line)), 0n));
  return {
    subtotalCents: sum((line) => line.subtotalCents),
    taxCents: sum((line) => line.taxCents),
    totalCents: sum((line) => line.totalCents),
  };
}

function toSafeNumber(value: bigint): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new OrderAmountTooLargeError();
  return Number(value);
}
