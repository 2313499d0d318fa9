/** Stage: turns transport failures and error responses (all three upstream shapes) into catalogue errors. */
import { classifyFailure, classifyResponse } from '../classify';
import type { Stage } from '../pipeline';
import type { Redactor } from '../redact';

/** Creates the classify stage; it sits right above the transport so every attempt is classified. */
export function classifyStage(now: () => number, redact: Redactor): Stage {
  return (next) => async (req) => {
    let res;
    try {
      res = await next(req);
    } catch (e) {
      throw classifyFailure(req, e, redact);
    }
    const error = classifyResponse(req, res, now(), redact);
    if (error) throw error;
    return res;
  };
}
