/**
 * Per-caller daily caps on create mutations, so that one caller cannot spend the account's
 * daily refresh/preheat quota for everyone (docs/upstream.md, Daily quotas: counted by URL,
 * reset at 00:00 UTC). Counted in this gateway's memory per caller and UTC day; a create takes
 * its URLs from the caller's allowance before it is sent, and gives them back when it is known
 * to have created nothing.
 */
import { GatewayError } from '../errors';

/** What a create spends: Huawei counts file refreshes, directory refreshes and preheats apart. */
export type CreateKind = 'files' | 'directories' | 'preheats';

/** URLs per caller per UTC day, by kind; 0 means no per-caller cap. */
export type CreateCaps = Readonly<Record<CreateKind, number>>;

/** Options of `createCreateQuota`. */
export interface CreateQuotaOptions {
  readonly caps: CreateCaps;
  /** Clock in epoch ms (tests move it across midnight). @default Date.now */
  readonly now?: () => number;
}

/** URLs taken from a caller's allowance; `release` gives them back (once; later calls do nothing). */
export interface CreateQuotaTicket {
  release(): void;
}

/** Per-caller daily create allowances. */
export interface CreateQuota {
  /** Takes `urls` URLs of `kind` from the caller's allowance of today, or throws QUOTA_EXCEEDED naming the cap, the count and the reset, taking nothing. */
  take(caller: string, kind: CreateKind, urls: number): CreateQuotaTicket;
  /** Returns how many URLs of each kind the caller has spent today. */
  used(caller: string): Readonly<Record<CreateKind, number>>;
}

const DAY_MS = 86_400_000;

// What Huawei calls each kind, for messages.
const KIND_LABELS: Readonly<Record<CreateKind, string>> = { files: 'file refresh URLs', directories: 'directory refresh URLs', preheats: 'preheat URLs' };

/** The setting that sets each kind's cap, for messages and docs. */
export const CREATE_CAP_SETTINGS: Readonly<Record<CreateKind, string>> = {
  files: 'CREATE_QUOTA_PER_CALLER_FILES',
  directories: 'CREATE_QUOTA_PER_CALLER_DIRECTORIES',
  preheats: 'CREATE_QUOTA_PER_CALLER_PREHEATS',
};

/** Returns the UTC day number (days since the epoch) of an instant. */
export function utcDayOf(epochMs: number): number {
  return Math.floor(epochMs / DAY_MS);
}

/** Returns the instant (epoch ms) the quota of the instant's UTC day resets: the next 00:00 UTC. */
export function nextUtcMidnight(epochMs: number): number {
  return (utcDayOf(epochMs) + 1) * DAY_MS;
}

/** Tells whether spending `urls` more on top of `used` stays within `cap` (0 = no cap). */
export function withinCap(cap: number, used: number, urls: number): boolean {
  return cap === 0 || used + urls <= cap;
}

// One caller's spending on one UTC day.
interface Spent {
  readonly counts: Record<CreateKind, number>;
}

/** Creates in-memory per-caller daily create allowances; caps are checked at once (`TypeError` on misuse). */
export function createCreateQuota(options: CreateQuotaOptions): CreateQuota {
  const caps = checkCaps(options.caps);
  const now = options.now ?? Date.now;
  const spent = new Map<string, Spent>();
  let today = utcDayOf(now());

  // Returns the caller's spending of today; a new day forgets every caller's (the map stays one day's worth).
  const current = (caller: string): Spent => {
    const day = utcDayOf(now());
    if (day !== today) {
      spent.clear();
      today = day;
    }
    let entry = spent.get(caller);
    if (!entry) {
      entry = { counts: { files: 0, directories: 0, preheats: 0 } };
      spent.set(caller, entry);
    }
    return entry;
  };

  return {
    take(caller, kind, urls) {
      const entry = current(caller);
      const cap = caps[kind];
      if (!withinCap(cap, entry.counts[kind], urls)) throw capExceeded(caller, kind, cap, entry.counts[kind], urls, now());
      entry.counts[kind] += urls;
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          // A release after midnight belongs to a day already forgotten.
          if (spent.get(caller) === entry) entry.counts[kind] = Math.max(0, entry.counts[kind] - urls);
        },
      };
    },
    used: (caller) => ({ ...current(caller).counts }),
  };
}

// The error of a create over the caller's cap: the rule, the count and when it resets.
function capExceeded(caller: string, kind: CreateKind, cap: number, used: number, urls: number, at: number): GatewayError {
  const resets = new Date(nextUtcMidnight(at)).toISOString();
  return new GatewayError(
    'QUOTA_EXCEEDED',
    `The create was not sent: caller ${caller} may create ${cap} ${KIND_LABELS[kind]} per UTC day (${CREATE_CAP_SETTINGS[kind]}), ` +
      `has used ${used} today, and this create adds ${urls}; the count resets at ${resets}.`,
    { retryAfterMs: nextUtcMidnight(at) - at },
  );
}

// Applies the caps' contract: whole numbers, 0 or more.
function checkCaps(caps: CreateCaps): CreateCaps {
  for (const kind of Object.keys(CREATE_CAP_SETTINGS) as CreateKind[]) {
    const cap = caps[kind];
    if (!Number.isInteger(cap) || cap < 0) throw new TypeError(`create quota cap \`${kind}\` must be a whole number, 0 or more; received ${String(cap)}`);
  }
  return { ...caps };
}
