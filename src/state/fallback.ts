/**
 * Which parts of the Redis shared state serve from this replica's memory right now, and when that
 * changes. A part falls back while the connection is down, or after one of its commands failed
 * until one succeeds again; a fresh connection clears every part. Changes are reported once per
 * transition (all parts a lost connection takes down in one report), never at start-up.
 */
import { SHARED_PARTS, type SharedPart } from './types';

/** A transition: these parts now serve from memory (`local`), or are shared again. */
export interface FallbackChange {
  readonly parts: readonly SharedPart[];
  readonly local: boolean;
  /** Why the parts fell back: the failure's message (absent when they recovered). */
  readonly reason?: string;
}

/** Tracks the parts' fallback; the Redis state tells it what happened. */
export interface FallbackTracker {
  /** Returns the parts serving from memory now, in SHARED_PARTS order. */
  local(): SharedPart[];
  /** The connection is ready: every part is shared again (the first time, silently: that is start-up). */
  connectionUp(): void;
  /** The connection was lost: every part serves from memory until it is back. */
  connectionDown(reason: string): void;
  /** A command of `part` failed: the part serves from memory until one succeeds. */
  failed(part: SharedPart, reason: string): void;
  /** A command of `part` succeeded. */
  succeeded(part: SharedPart): void;
}

/** Creates a tracker that starts with every part local (not connected yet) and reports transitions to `onChange` after the first connection. */
export function createFallbackTracker(onChange: (change: FallbackChange) => void): FallbackTracker {
  let connected = false;
  let started = false;
  const failing = new Set<SharedPart>();
  const isLocal = (part: SharedPart): boolean => !connected || failing.has(part);
  const local = (): SharedPart[] => SHARED_PARTS.filter(isLocal);

  // Applies a change of state and reports the parts whose side it changed.
  const transition = (apply: () => void, reason?: string): void => {
    const before = new Set(local());
    apply();
    if (!started) return;
    const after = new Set(local());
    const down = SHARED_PARTS.filter((p) => after.has(p) && !before.has(p));
    const up = SHARED_PARTS.filter((p) => before.has(p) && !after.has(p));
    try {
      if (down.length > 0) onChange({ parts: down, local: true, ...(reason === undefined ? {} : { reason }) });
      if (up.length > 0) onChange({ parts: up, local: false });
    } catch {
      // A broken hook must not fail the call that noticed the change.
    }
  };

  return {
    local,
    connectionUp() {
      if (!started) {
        connected = true;
        failing.clear();
        started = true;
        return;
      }
      transition(() => {
        connected = true;
        failing.clear();
      });
    },
    connectionDown(reason) {
      if (!connected) return;
      transition(() => (connected = false), reason);
    },
    failed(part, reason) {
      if (failing.has(part)) return;
      transition(() => failing.add(part), reason);
    },
    succeeded(part) {
      if (!failing.has(part)) return;
      transition(() => failing.delete(part));
    },
  };
}
