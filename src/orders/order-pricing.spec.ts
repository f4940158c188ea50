import { lineAmounts, orderAmounts, taxCents } from './order-pricing';
import { OrderAmountTooLargeError } from './orders.errors';

describe('order pricing', () => {
  it.each([
    // amount, bps, tax: half a cent rounds up, less rounds down
    [5, 1000, 1], // 0.5 → 1
    [4, 1000, 0], // 0.4 → 0
    [15, 1000, 2], // 1.5 → 2
    [25, 1000, 3], // 2.5 → 3 (half up, not half to even)
    [1, 4999, 0], // 0.4999 → 0
    [1, 5000, 1], // 0.5 → 1
    [999, 2000, 200], // 199.8 → 200
    [1000, 0, 0],
    [12_345, 10_000, 12_345],
  ])('taxes %i cents at %i bps as %i cents', (amount, bps, expected) => {
    expect(taxCents(amount, bps)).toBe(expected);
  });

  it('is exact where floating point is not', () => {
    // 0.1 × 3 style errors: 1.15 × 100 = 114.99999999999999 in floating point.
    expect(taxCents(115, 10_000)).toBe(115);
    expect(taxCents(900_719_925_474, 9_999)).toBe(900_629_853_481);
  });

  it('taxes each line on its net amount, then sums', () => {
    const lines = [
      lineAmounts({ unitPriceCents: 333, quantity: 3, taxRateBps: 1950 }), // 999, tax 194.805 → 195
      lineAmounts({ unitPriceCents: 5, quantity: 1, taxRateBps: 1000 }), // 5, tax 0.5 → 1
    ];
    expect(lines).toEqual([
      { subtotalCents: 999, taxCents: 195, totalCents: 1194 },
      { subtotalCents: 5, taxCents: 1, totalCents: 6 },
    ]);
    expect(orderAmounts(lines)).toEqual({ subtotalCents: 1004, taxCents: 196, totalCents: 1200 });
  });

  it('refuses amounts beyond exact integers rather than rounding them', () => {
    expect(() => lineAmounts({ unitPriceCents: 1_000_000_000_000, quantity: 1_000_000, taxRateBps: 0 })).toThrow(
      OrderAmountTooLargeError,
    );
    // Each line exact, their sum not.
    const half = { subtotalCents: 2 ** 52, taxCents: 0, totalCents: 2 ** 52 };
    expect(() => orderAmounts([half, half])).toThrow(OrderAmountTooLargeError);
    // A subtotal just within, its tax pushing the total over.
    expect(() => lineAmounts({ unitPriceCents: 2 ** 52, quantity: 1, taxRateBps: 10_000 })).toThrow(
      OrderAmountTooLargeError,
    );
  });
});
