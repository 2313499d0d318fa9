/**
 * Seeded randomness for the simulator: the data set and the fault decisions must be the same
 * on every run with the same seed, so nothing here touches `Math.random`.
 */

// Module-scope copies: global lookups are slow inside jest's vm sandbox, and this is the hot path.
const { imul, floor, exp, log } = Math;

/** A source of uniform numbers in [0, 1). */
export type Random = () => number;

/** Creates a mulberry32 generator: tiny, fast, and good enough for test data. */
export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = imul(t ^ (t >>> 15), t | 1);
    t ^= t + imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Draws an integer in [min, max], both inclusive. */
export function intBetween(random: Random, min: number, max: number): number {
  return min + floor(random() * (max - min + 1));
}

/** Draws one element of a non-empty list. */
export function pick<T>(random: Random, items: readonly T[]): T {
  return items[floor(random() * items.length)] as T;
}

/** Draws a number whose logarithm is uniform in [log min, log max]: many small values, a few large. */
export function logUniform(random: Random, min: number, max: number): number {
  return exp(log(min) + random() * (log(max) - log(min)));
}
