/**
 * What an operator should do about an upstream refusal met by the check: credentials (401),
 * url-tasks not enabled (403, docs/upstream.md#url-tasks), the enterprise project an IAM user
 * must name (docs/upstream.md#enterprise-projects), throttling, failures, no answer.
 */
import type { OperationName } from '../cdn/operations';

/** What is known of a refusal: the HTTP status (0 when nothing answered) and Huawei's error code. */
export interface RefusalFacts {
  readonly operation: OperationName;
  readonly status: number;
  readonly code?: string;
  /** Whether HUAWEICLOUD_ENTERPRISE_PROJECT_ID is set. */
  readonly enterpriseProject: boolean;
}

/** Tells whether the check should stop after this refusal: every further call would meet it too. */
export function stopsTheCheck(facts: Pick<RefusalFacts, 'status'>): boolean {
  return facts.status === 0 || facts.status === 401;
}

/** Returns the advice for a refusal, one sentence or two. */
export function refusalHint(f: RefusalFacts): string {
  if (f.status === 0) return 'Nothing answered: check CDN_ENDPOINT and the network path to it.';
  if (f.status === 401) {
    return 'The CDN API refused the credentials: check HUAWEICLOUD_SDK_AK/SK (or HUAWEICLOUD_IAM_TOKEN, HUAWEICLOUD_SDK_SECURITY_TOKEN) and their expiry, and this host\'s clock (signatures more than 15 minutes off are refused).';
  }
  if (f.operation === 'url-tasks' && f.status === 403) {
    return 'The url-tasks API is probably not enabled for this account: it is enabled by submitting a service ticket to Huawei Cloud (docs/upstream.md#url-tasks). Otherwise the credentials lack CDN read permission.';
  }
  const projectScoped = f.operation === 'historytasks' || f.operation === 'detail';
  if (projectScoped && (f.status === 400 || f.status === 403) && !f.enterpriseProject) {
    return 'If the account has enterprise projects and these are an IAM user\'s credentials, the enterprise project is required: set HUAWEICLOUD_ENTERPRISE_PROJECT_ID (0, all, or the project\'s id; docs/upstream.md#enterprise-projects).' +
      (f.status === 403 ? ' Otherwise the credentials lack CDN read permission.' : '');
  }
  if (f.status === 403) return 'The credentials lack permission for this CDN operation (e.g. CDN ReadOnlyAccess).';
  if (f.status === 429) return 'The tenant\'s rate limit was reached (other clients share it): run the check again in a moment.';
  if (f.status >= 500) return 'The CDN API is failing: run the check again later.';
  return 'The CDN API refused the call; its code and message say why.';
}
