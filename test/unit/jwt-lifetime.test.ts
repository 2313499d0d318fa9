/** The JWT time-claim rules beyond jose's: exp required, iat not in the future, lifetime bounded by JWT_MAX_LIFETIME_S. */
import { lifetimeFailure } from '../../src/http/jwt-lifetime';

const NOW = 1_800_000_000;
const LIMITS = { maxLifetimeS: 86_400, clockToleranceS: 5 };
const reason = (claims: { exp?: unknown; iat?: unknown }) => lifetimeFailure(claims, NOW, LIMITS)?.reason;

describe('token lifetime', () => {
  it('requires exp', () => {
    expect(reason({})).toBe('exp-missing');
    expect(reason({ iat: NOW })).toBe('exp-missing');
    expect(reason({ exp: '1900000000' })).toBe('exp-missing');
  });

  it('bounds exp − iat, or exp − now without iat', () => {
    expect(reason({ iat: NOW, exp: NOW + 86_400 })).toBeUndefined();
    expect(reason({ iat: NOW, exp: NOW + 86_401 })).toBe('lifetime-too-long');
    // Issued ten years ago and expiring in a minute: ten years of lifetime.
    expect(reason({ iat: NOW - 10 * 365 * 86_400, exp: NOW + 60 })).toBe('lifetime-too-long');
    // An old token near its end is judged by its whole lifetime, not by what is left.
    expect(reason({ iat: NOW - 86_000, exp: NOW + 300 })).toBeUndefined();
    expect(reason({ iat: NOW - 86_200, exp: NOW + 300 })).toBe('lifetime-too-long');
    expect(reason({ exp: NOW + 86_400 })).toBeUndefined();
    expect(reason({ exp: NOW + 86_400.5 })).toBe('lifetime-too-long');
    expect(lifetimeFailure({ exp: NOW + 90_000 }, NOW, LIMITS)?.message).toBe('The token is valid for 90000 s (from now until its "exp"), longer than this gateway accepts (86400 s)');
  });

  it('refuses an iat in the future beyond the clock tolerance', () => {
    expect(reason({ iat: NOW + 5, exp: NOW + 600 })).toBeUndefined();
    expect(reason({ iat: NOW + 6, exp: NOW + 600 })).toBe('iat-in-future');
    expect(reason({ iat: NOW + 10 * 365 * 86_400, exp: NOW + 10 * 365 * 86_400 + 60 })).toBe('iat-in-future');
    expect(reason({ iat: 'yesterday', exp: NOW + 60 })).toBe('iat-invalid');
  });
});
