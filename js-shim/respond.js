// Turns the core's `response` into a Response. Bodies: a string, the held R2 object body
// ({"r2_body": H}, piped without entering wasm), or none (the core sends none for HEAD and
// for 204/205/304; a held body it does not name is cancelled when the task ends).

import { responseHeaders } from "./headers.js";

export function toResponse(res, scope) {
  let body = null;
  if (res.body && typeof res.body === "object" && "r2_body" in res.body) {
    const stream = scope.takeHandle(res.body.r2_body);
    if (!stream) throw new Error(`response names unknown R2 handle ${res.body.r2_body}`);
    body = stream;
  } else if (typeof res.body === "string") {
    body = res.body;
  }
  return new Response(body, { status: res.status, headers: responseHeaders(res.headers) });
}

/**
 * The headers the core puts on every answer (src/api/app.cpp, App::finish), for the answers the
 * shim makes without it; trap.test.mjs holds the two to each other.
 */
const SECURITY_HEADERS = {
  "x-content-type-options": "nosniff",
  "content-security-policy": "default-src 'none'; frame-ancestors 'none'; sandbox",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
  "strict-transport-security": "max-age=31536000; includeSubDomains",
};

/** A response the shim builds itself (trap, bad frame, no core). */
export function errorResponse(status, message, requestId) {
  return new Response(JSON.stringify({ ok: false, error: "internal_error", message }), {
    status,
    headers: {
      ...SECURITY_HEADERS,
      "content-type": "application/json; charset=utf-8",
      "x-request-id": requestId,
      "cache-control": "no-store",
    },
  });
}
