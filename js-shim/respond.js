// Turns the core's `response` into a Response. Bodies: a string, the held R2 object body
// ({"r2_body": H}, piped without entering wasm), parts to write in order ({"parts": [{"text"} |
// {"base64_of": H}]}: a JSON answer that carries files as base64, their bytes never entering
// wasm either), the task's streamed body ({"stream": true}, see stream.js), or none (the core
// sends none for HEAD and for 204/205/304; a held body it does not name is cancelled when the
// task ends).

import { Buffer } from "node:buffer";
import { responseHeaders } from "./headers.js";

const encoder = new TextEncoder();

function held(scope, handle) {
  const stream = scope.takeHandle(handle);
  if (!stream) throw new Error(`response names unknown R2 handle ${handle}`);
  return stream;
}

/** `stream`'s bytes as base64 text, written to `controller` as they come (3-byte aligned). */
async function writeBase64(stream, controller) {
  const reader = stream.getReader();
  let carry = new Uint8Array(0);
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const bytes = new Uint8Array(carry.length + value.length);
    bytes.set(carry);
    bytes.set(value, carry.length);
    const whole = bytes.length - (bytes.length % 3);
    if (whole > 0) controller.enqueue(encoder.encode(Buffer.from(bytes.subarray(0, whole)).toString("base64")));
    carry = bytes.slice(whole);
  }
  if (carry.length > 0) controller.enqueue(encoder.encode(Buffer.from(carry).toString("base64")));
}

/** The parts of a composed body, one written per pull. */
function composed(parts, scope) {
  const streams = parts.map((part) => ("base64_of" in part ? held(scope, part.base64_of) : null));
  let next = 0;
  return new ReadableStream({
    async pull(controller) {
      if (next >= parts.length) return controller.close();
      const i = next++;
      if (streams[i]) await writeBase64(streams[i], controller);
      else controller.enqueue(encoder.encode(String(parts[i].text ?? "")));
    },
    cancel() {
      for (const stream of streams.slice(next)) stream?.cancel().catch(() => {});
    },
  });
}

export function toResponse(res, scope) {
  let body = null;
  if (res.body && typeof res.body === "object" && "r2_body" in res.body) {
    body = held(scope, res.body.r2_body);
  } else if (res.body && typeof res.body === "object" && Array.isArray(res.body.parts)) {
    body = composed(res.body.parts, scope);
  } else if (res.body && typeof res.body === "object" && res.body.stream === true) {
    body = scope.stream.readable;
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
