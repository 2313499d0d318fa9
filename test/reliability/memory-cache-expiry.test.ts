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

  it('drops expired entries behind a longer-lived one that was used earlier (settled answers live minutes, live ones seconds)', async () => {
    let t = 0;
    const cache = createMemoryCache({ maxBytes: 10_000_000, now: () => t });
    await cache.set('settled', response(1), 600_000);
    for (let i = 0; i < 300; i++) await cache.set(`live${i}`, response(i), 2000);
    t = 1000;
    await cache.set('live-again', response(2), 2000);
    expect(cache.stats().entries).toBe(302);
    t = 2500;
    await cache.set('later', response(3), 2000);
    // The 300 live entries expired at 2000 although the settled one, least recently used, is still live.
    expect(cache.stats().entries).toBe(3);
    expect(await cache.get('settled')).toEqual(response(1));
    expect(await cache.get('live-again')).toEqual(response(2));
    t = 600_000;
    await cache.set('last', response(4), 2000);
    expect(cache.stats().entries).toBe(1);
  });

  it('keeps an entry stored again with a later expiry, and forgets the earlier one', async () => {
    let t = 0;
    const cache = createMemoryCache({ maxBytes: 10_000_000, now: () => t });
    await cache.set('k', response(1), 1000);
    t = 500;
    await cache.set('k', response(2), 600_000);
    t = 1500;
    await cache.set('other', response(3), 1000);
    expect(await cache.get('k')).toEqual(response(2));
    // Many rewrites of few keys: queued expiries are shed, and the entries stay right.
    for (let i = 0; i < 5000; i++) await cache.set(`r${i % 10}`, response(i), 600_000);
    expect(cache.stats().entries).toBe(12);
    expect(await cache.get('r9')).toEqual(response(4999));
  });
});
