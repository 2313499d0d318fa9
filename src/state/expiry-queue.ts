/**
 * Keys ordered by expiry time (a binary min-heap), for the memory cache to drop expired entries
 * whatever their place in its LRU order: entries of different lifetimes (2 s live answers,
 * 10 min settled ones, src/cdn/freshness.ts) do not expire in the order they were used.
 */

/** One scheduled expiry. */
export interface Expiry {
  readonly key: string;
  readonly expiresAt: number;
}

/** A min-heap of expiries; stale ones (a key stored again, or evicted) are the caller's to skip. */
export class ExpiryQueue {
  private readonly heap: Expiry[] = [];

  /** Returns how many expiries are queued, stale ones included. */
  get size(): number {
    return this.heap.length;
  }

  /** Queues a key's expiry. */
  push(entry: Expiry): void {
    const heap = this.heap;
    heap.push(entry);
    for (let i = heap.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if ((heap[parent] as Expiry).expiresAt <= entry.expiresAt) break;
      heap[i] = heap[parent] as Expiry;
      heap[parent] = entry;
      i = parent;
    }
  }

  /** Removes and returns every expiry due at `now` (expiresAt ≤ now), earliest first. */
  popDue(now: number): Expiry[] {
    const due: Expiry[] = [];
    while (this.heap.length > 0 && (this.heap[0] as Expiry).expiresAt <= now) due.push(this.popFirst());
    return due;
  }

  /** Replaces the queue's contents (to shed stale expiries once they outnumber live ones). */
  reset(entries: readonly Expiry[]): void {
    this.heap.length = 0;
    for (const entry of entries) this.push(entry);
  }

  // Removes the earliest expiry.
  private popFirst(): Expiry {
    const heap = this.heap;
    const first = heap[0] as Expiry;
    const last = heap.pop() as Expiry;
    if (heap.length === 0) return first;
    heap[0] = last;
    for (let i = 0; ; ) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < heap.length && (heap[left] as Expiry).expiresAt < (heap[smallest] as Expiry).expiresAt) smallest = left;
      if (right < heap.length && (heap[right] as Expiry).expiresAt < (heap[smallest] as Expiry).expiresAt) smallest = right;
      if (smallest === i) break;
      [heap[i], heap[smallest]] = [heap[smallest] as Expiry, heap[i] as Expiry];
      i = smallest;
    }
    return first;
  }
}
