/**
 * What `npm run check-upstream` needs from the environment, read with the gateway's own
 * `loadConfig` (same names, same rules): the upstream, its credentials and the enterprise
 * project. Unlike the gateway it refuses to fall back to the embedded simulator: with neither
 * credentials nor CDN_ENDPOINT there is no account to check.
 */
import type { CdnAuth } from '../cdn/options';
import { ConfigError, loadConfig } from '../config';

/** What the check runs with. */
export interface CheckSettings {
  readonly endpoint: string;
  readonly auth: CdnAuth;
  /** Sent on historytasks and detail (docs/upstream.md#enterprise-projects). */
  readonly enterpriseProjectId?: string;
  /** Deadline of one call (UPSTREAM_TIMEOUT_MS). */
  readonly timeoutMs: number;
  /** Every secret value, scrubbed from the report. */
  readonly secrets: readonly string[];
}

/** Settings, or every configuration problem found. */
export type SettingsResult = { readonly ok: true; readonly settings: CheckSettings } | { readonly ok: false; readonly problems: readonly string[] };

/** The problem reported when nothing names an upstream to check. */
export const NO_UPSTREAM_PROBLEM =
  'no upstream to check: set HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK (or HUAWEICLOUD_IAM_TOKEN) to check your Huawei Cloud account, ' +
  'or CDN_ENDPOINT to check a running simulator (check-upstream never checks the embedded simulator)';

/** Reads the check's settings from an environment, listing every problem like the gateway's start-up. */
export function readCheckSettings(env: Readonly<Record<string, string | undefined>>): SettingsResult {
  const given = (name: string) => (env[name] ?? '').trim() !== '';
  const problems: string[] = [];
  if (!given('HUAWEICLOUD_SDK_AK') && !given('HUAWEICLOUD_SDK_SK') && !given('HUAWEICLOUD_IAM_TOKEN') && !given('CDN_ENDPOINT')) problems.push(NO_UPSTREAM_PROBLEM);
  let config;
  try {
    config = loadConfig(env);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    problems.push(...e.problems);
  }
  if (!config || problems.length > 0 || config.upstream.mode !== 'remote') return { ok: false, problems: problems.length > 0 ? problems : [NO_UPSTREAM_PROBLEM] };
  const auth = config.upstream.auth;
  return {
    ok: true,
    settings: {
      endpoint: config.upstream.endpoint,
      auth,
      ...(config.enterpriseProjectId === undefined ? {} : { enterpriseProjectId: config.enterpriseProjectId }),
      timeoutMs: config.upstreamTimeoutMs,
      secrets: (auth.kind === 'aksk' ? [auth.ak, auth.sk, auth.securityToken] : [auth.token]).filter((s): s is string => typeof s === 'string'),
    },
  };
}
