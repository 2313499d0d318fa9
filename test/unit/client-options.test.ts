import { createCdnClient } from '../../src/cdn/upstream';
import { normalizeOptions, type CdnClientOptions } from '../../src/cdn/options';

const AUTH = { kind: 'aksk', ak: 'AK-EXAMPLE-1234', sk: 'SK-EXAMPLE-SECRET-5678' } as const;
const base: CdnClientOptions = { endpoint: 'http://127.0.0.1:9100', auth: AUTH };

function misuse(overrides: Record<string, unknown>): string {
  try {
    normalizeOptions({ ...base, ...overrides } as unknown as CdnClientOptions);
  } catch (e) {
    expect(e).toBeInstanceOf(TypeError);
    return (e as Error).message;
  }
  throw new Error('expected a TypeError');
}

describe('createCdnClient options', () => {
  it('applies the documented defaults', () => {
    const o = normalizeOptions(base);
    expect(o).toMatchObject({
      origin: 'http://127.0.0.1:9100',
      host: '127.0.0.1:9100',
      connections: 16,
      timeoutMs: 10_000,
      connectTimeoutMs: 5_000,
      retry: { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 2000, budgetRatio: 0.5, budgetMinPerSecond: 1, budgetCapacity: 20 },
    });
    expect(normalizeOptions({ ...base, endpoint: 'https://cdn.myhuaweicloud.com' }).host).toBe('cdn.myhuaweicloud.com');
  });

  it('states the rule and the value for each misuse', () => {
    expect(misuse({ endpoint: 'https://cdn.myhuaweicloud.com/v1.0' })).toBe(
      'CDN client option `endpoint` must be an http(s) origin such as https://cdn.myhuaweicloud.com (no path, query or user info); received "https://cdn.myhuaweicloud.com/v1.0"',
    );
    expect(misuse({ endpoint: 'ftp://x' })).toMatch(/; received "ftp:\/\/x"$/);
    expect(misuse({ endpoint: 42 })).toMatch(/; received number 42$/);
    expect(misuse({ connections: 0 })).toBe('CDN client option `connections` must be a positive integer; received number 0');
    expect(misuse({ timeoutMs: 1.5 })).toBe('CDN client option `timeoutMs` must be a positive integer; received number 1.5');
    expect(misuse({ retry: { budgetRatio: -1 } })).toBe('CDN client option `retry.budgetRatio` must be a finite number >= 0; received number -1');
    expect(misuse({ onEvent: 'log' })).toBe('CDN client option `onEvent` must be a function; received "log"');
    expect(misuse({ auth: { kind: 'basic' } })).toBe("CDN client option `auth.kind` must be 'aksk' or 'token'; received \"basic\"");
    expect(misuse({ auth: { kind: 'token', token: '' } })).toBe('CDN client option `auth.token` must be a non-empty string; received an empty string');
  });

  it('never echoes a secret or URL user info', () => {
    expect(misuse({ endpoint: 'https://user:p4ssw0rd@cdn.example.com' })).not.toContain('p4ssw0rd');
    expect(misuse({ auth: { kind: 'aksk', ak: 'AK-EXAMPLE-1234', sk: 42 } })).toBe('CDN client option `auth.sk` must be a non-empty string; received number 42');
    const broken = misuse({ auth: { kind: 'aksk', ak: 'AK-EXAMPLE-1234', sk: 'SK-WITH\nNEWLINE' } });
    expect(broken).not.toContain('SK-WITH');
  });

  it('creates and closes a client without connecting', async () => {
    const client = createCdnClient(base);
    expect(client.endpoint).toBe('http://127.0.0.1:9100');
    await client.close();
    await client.close();
  });
});
