/** Setting schemas shared by the configuration modules (src/config.ts, src/telemetry/settings.ts). */
import { z } from 'zod';

/** Builds the schema of a whole-number setting within bounds, with a default when unset. */
export const wholeNumberSetting = (min: number, max: number, fallback: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, `must be a whole number from ${min} to ${max}`)
    .transform(Number)
    .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`))
    .optional()
    .transform((v) => v ?? fallback);
