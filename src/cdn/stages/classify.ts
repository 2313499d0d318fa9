/**
 * Stage: turns transport failures and error responses (all three upstream shapes) into
 * catalogue errors, and a success into a parsed `UpstreamResponse`. It is the only place a
 * response is classified; everything above it (retry, cache, endpoints) reads the result.
 */
import { classifyFailure, classifyResponse } from '../classify';
import { parseJson } from '../json';
import type { Handler, RawHandler } from '../pipeline';
import type { Redactor } from '../redact';

/** Creates the classify stage; it sits right above the transport so every attempt is classified. */
export function classifyStage(now: () => number, redact: Redactor): (next: RawHandler) => Handler {
  return (next) => async (req) => {
    let res;
    try {
      res = await next(req);
    } catch (e) {
      throw classifyFailure(req, e, redact);
    }
    const json = parseJson(res.body);
    const error = classifyResponse(req, res, now(), redact, json);
    if (error) throw error;
    // classifyResponse refuses a body that is not JSON, so `json.ok` holds here.
    return { ...res, json: json.ok ? json.value : undefined };
  };
}
