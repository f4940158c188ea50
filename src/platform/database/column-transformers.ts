import type { ValueTransformer } from 'typeorm';

/**
 * `bigint` columns arrive from the driver as strings; money and counters are
 * used as numbers, which is exact up to 2^53 — refused beyond, never rounded.
 */
export const bigintAsNumber: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | null) => {
    if (value === null) return null;
    const number = Number(value);
    if (!Number.isSafeInteger(number)) throw new RangeError(`bigint ${value} exceeds the safe integer range`);
    return number;
  },
};
