/**
 * Found by the soak: the memory response cache kept expired entries until its byte bound
 * (32 MiB by default) pushed them out, so a gateway's memory grew for minutes with responses
 * it would never serve again. Writing now drops the expired entries first.
 */
import { createMemoryCache } from '../../src/state/memory';
import type { CachedResponse } from '../../src/state/types';

const response = (i: number): CachedResponse => ({ status: 200, headers: { 'content-type': 'application/json' }, body: `{"total":${i},"result":[${'0,'.repeat(100)}0]}`, producedAt: 0 });

describe('memory response cache expiry', () => {
  it('drops expired entries when a new one is written, instead of holding them until the byte bound', async () => {
    let t = 1_000_000;
    const cache = createMemoryCache({ maxBytes: 10_000_000, now: () => t });
    for (let i = 0; i < 500; i++) await cache.set(`k${i}`, response(i), 2000);
    expect(cache.stats().entries).toBe(500);
    t += 2001;
    await cache.set('fresh', response(0), 2000);
    expect(cache.stats().entries).toBe(1);
    expect(await cache.get('fresh')).toEqual(response(0));
  });

  it('keeps entries that are still live, and the ones read recently', async () => {
    let t = 0;
    const cache = createMemoryCache({ maxBytes: 10_000_000, now: () => t });
    await cache.set('old', response(1), 1000);
    await cache.set('long', response(2), 5000);
    t = 500;
    await cache.set('young', response(3), 1000);
    t = 1200;
    await cache.set('new', response(4), 1000);
    // 'old' expired at 1000 and was the least recently used: gone; the others are live.
    expect(cache.stats().entries).toBe(3);
    expect(await cache.get('long')).toEqual(response(2));
    expect(await cache.get('young')).toEqual(response(3));
    expect(await cache.get('old')).toBeUndefined();
  });
});
