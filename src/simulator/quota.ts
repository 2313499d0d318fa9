/** Huawei's daily per-account quotas of refreshed and preheated URLs (docs/upstream.md). */

/** URLs per account per UTC day. */
export const DAILY_QUOTAS = { refreshFile: 2000, refreshDirectory: 100, preheat: 1000 } as const;

/** One of the quotas. */
export type QuotaKind = keyof typeof DAILY_QUOTAS;

/** The outcome of asking for quota. */
export type QuotaOutcome = { readonly ok: true } | { readonly ok: false; readonly used: number; readonly limit: number };

const DAY_MS = 24 * 3600 * 1000;

/** Counts what each tenant used today; a new UTC day starts from zero. */
export class QuotaBook {
  private readonly used = new Map<string, { day: number; count: number }>();

  /** Creates a book with the given daily limits. */
  constructor(private readonly limits: Readonly<Record<QuotaKind, number>> = DAILY_QUOTAS) {}

  /** Takes `count` URLs of the tenant's quota at `now`, or refuses without taking any. */
  tryConsume(tenant: string, kind: QuotaKind, count: number, now: number): QuotaOutcome {
    const key = `${kind} ${tenant}`;
    const day = Math.floor(now / DAY_MS);
    const entry = this.used.get(key);
    const used = entry && entry.day === day ? entry.count : 0;
    const limit = this.limits[kind];
    if (used + count > limit) return { ok: false, used, limit };
    this.used.set(key, { day, count: used + count });
    return { ok: true };
  }
}
