/** The memory response cache: expiry on the given clock, and an LRU bound by bytes. */
import { createMemoryCache, entrySize } from '../../src/state/memory';
import type { CachedResponse } from '../../src/state/types';

const entry = (body: string): CachedResponse => ({ status: 200, headers: { 'content-type': 'application/json' }, body, producedAt: 0 });

describe('memory cache', () => {
  it('serves an entry until its time to live has passed, and not after', async () => {
    let t = 1000;
    const cache = createMemoryCache({ maxBytes: 10_000, now: () => t });
    await cache.set('k', entry('{"a":1}'), 500);
    t = 1499;
    expect((await cache.get('k'))?.body).toBe('{"a":1}');
    t = 1500;
    expect(await cache.get('k')).toBeUndefined();
    expect(cache.stats().entries).toBe(0);
  });

  it('does not store an entry with no time left', async () => {
    const cache = createMemoryCache({ maxBytes: 10_000, now: () => 0 });
    await cache.set('k', entry('x'), 0);
    await cache.set('k2', entry('x'), -5);
    expect(cache.stats().entries).toBe(0);
  });

  it('evicts the least recently used entries to stay within its byte bound', async () => {
    const body = 'x'.repeat(300);
    const size = entrySize('k1', entry(body));
    const cache = createMemoryCache({ maxBytes: size * 3, now: () => 0 });
    await cache.set('k1', entry(body), 10_000);
    await cache.set('k2', entry(body), 10_000);
    await cache.set('k3', entry(body), 10_000);
    await cache.get('k1'); // k2 is now the least recently used
    await cache.set('k4', entry(body), 10_000);
    expect(await cache.get('k2')).toBeUndefined();
    expect(await cache.get('k1')).toBeDefined();
    expect(await cache.get('k4')).toBeDefined();
    expect(cache.stats().bytes).toBeLessThanOrEqual(size * 3);
  });

  it('refuses an entry larger than the whole cache instead of emptying it', async () => {
    const cache = createMemoryCache({ maxBytes: 1000, now: () => 0 });
    await cache.set('small', entry('s'), 10_000);
    await cache.set('huge', entry('x'.repeat(5000)), 10_000);
    expect(await cache.get('huge')).toBeUndefined();
    expect(await cache.get('small')).toBeDefined();
  });

  it('states the rule and the value when maxBytes is not a positive integer', () => {
    expect(() => createMemoryCache({ maxBytes: 0 })).toThrow('memory cache option `maxBytes` must be a positive integer; received 0');
  });
});
