/**
 * Refusals that come from how the simulated account is set up rather than from a call's
 * parameters: enterprise projects (historytasks, the detail and the creates then need
 * `enterprise_project_id`) and a url-tasks API that was never enabled for the account.
 */
import type { OperationName } from '../cdn/models';
import type { FaultConfig } from './faults';
import { cdnError, type ApiAnswer } from './responses';
import type { RawQuery } from './validation';

// The operations whose SDK requests have `enterprise_project_id`; url-tasks has no such parameter.
const PROJECT_SCOPED: ReadonlySet<OperationName> = new Set<OperationName>(['historytasks', 'detail', 'refresh', 'preheat']);

/** The message of the refusal of a call without `enterprise_project_id`. */
export const PROJECT_REQUIRED_MESSAGE =
  'enterprise_project_id is required: the account has enterprise projects enabled and an IAM user must name one (or "all" for all projects)';
/** The message of the refusal of url-tasks on an account without the API. */
export const URL_TASKS_DISABLED_MESSAGE =
  'The API for querying refresh and preheat records by URL is not enabled for this account. Submit a service ticket to enable it.';

/** Returns the account's refusal of a call, or `undefined` when the account lets it through. */
export function refuseByAccount(operation: OperationName, query: RawQuery, faults: FaultConfig): ApiAnswer | undefined {
  // Assumption: Huawei documents neither error. A call on an account without url-tasks gets a
  // 403 CDN.0004 (CDN's insufficient-permission code) in the ErrRsp shape.
  if (operation === 'url-tasks' && faults.urlTasksDisabled) return cdnError(403, 'CDN.0004', URL_TASKS_DISABLED_MESSAGE);
  // Assumption: the SDKs call the parameter "mandatory when an IAM user calls this API" on an
  // account with enterprise projects; its absence is answered like any missing mandatory
  // parameter, 400 CDN.0001 in the ErrRsp shape. Any non-empty value passes, `all` included.
  if (faults.enterpriseProjectRequired && PROJECT_SCOPED.has(operation) && !given(query.enterprise_project_id)) {
    return cdnError(400, 'CDN.0001', PROJECT_REQUIRED_MESSAGE);
  }
  return undefined;
}

// Tells whether a parameter was given a non-empty value (a repeated one is left to validation to refuse).
function given(value: string | readonly string[] | undefined): boolean {
  return typeof value === 'string' ? value !== '' : value !== undefined && value.some((v) => v !== '');
}
