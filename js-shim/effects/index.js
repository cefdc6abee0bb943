// Dispatches the core's effects by `op` (src/abi/README.md, "Effects"). Executors never throw:
// every failure becomes {"error": {"code", "message"}} for the core to decide on.

import { performSql } from "./sql.js";
import { performFetch } from "./fetch.js";
import { performR2, R2_OPS } from "./r2.js";
import { performRequestBody } from "./request-body.js";
import { performCryptoVerify } from "./crypto-verify.js";
import { performSleep } from "./sleep.js";
import { performQueueSend } from "./queue.js";
import { performStreamWrite } from "../stream.js";
import { performBodyRead, performStreamedFetch } from "./held-body.js";

const EXECUTORS = {
  sql: performSql,
  fetch: performOutbound,
  "request.body": performRequestBody,
  "crypto.verify": performCryptoVerify,
  sleep: performSleep,
  "queue.send": performQueueSend,
  "stream.write": performStreamWrite,
  "body.read": performBodyRead,
  wait_until: performWaitUntil,
};
for (const op of R2_OPS) EXECUTORS[op] = performR2;

/** Performs one effect; resolves to its result without the id. */
export async function perform(effect, scope) {
  const executor = EXECUTORS[effect?.op];
  if (!executor) return { error: { code: "unsupported", message: `unknown effect op ${JSON.stringify(effect?.op)}` } };
  try {
    return await executor(effect, scope);
  } catch (err) {
    return { error: { code: "internal", message: String(err?.message ?? err) } };
  }
}

/** Performs every effect of a step concurrently; results carry the effect ids. */
export function performAll(effects, scope) {
  return Promise.all(effects.map(async (effect) => ({ id: effect.id, ...(await perform(effect, scope)) })));
}

/**
 * `fetch`: through the OUTBOUND binding (js-shim/outbound.js) where there is one; one whose
 * reply body the task reads piece by piece (`stream`) here (./held-body.js).
 */
async function performOutbound(effect, scope) {
  if (effect.stream === true) return performStreamedFetch(effect, scope);
  if (!scope.env.OUTBOUND) return performFetch(effect, scope.env);
  try {
    return await scope.env.OUTBOUND.perform(effect);
  } catch (err) {
    return { error: { code: "network", message: String(err?.message ?? err) } };
  }
}

/** `wait_until`: answers {} at once, runs the inner effect in the background. */
function performWaitUntil(effect, scope) {
  performBackground(effect.effect, scope);
  return {};
}

/** Runs `inner` under ctx.waitUntil, before the task's database client closes; logs a failure. */
export function performBackground(inner, scope) {
  const job = perform(inner, scope).then((result) => {
    if (result?.error) {
      console.error({ level: "error", msg: "wait_until effect failed", op: inner?.op, request_id: scope.requestId, error: result.error });
    }
    if (result?.handle != null) scope.dropHandle(result.handle);
  });
  scope.background(job);
}
