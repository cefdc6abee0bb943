// The `request.body` effect: the incoming request body, copied into the core with a size cap.
// The body stream can be read once: the bytes are kept on the task for a second ask.
// Small bodies are read before the core starts and travel in the start frame (eagerBody).

import { declaredLength, readCapped, TooLarge } from "./read-capped.js";

// POST bodies declared this small come with the start frame: the JSON of a POST or a
// webhook then costs no `request.body` step (one call into the core less). Other bodies stay
// in the stream until a handler reads or streams them: PUT is an upload, streamed to R2 and
// refused on its declared length alone, before a byte of it is read.
export const EAGER_BODY_BYTES = 64 << 10;

/**
 * The body of a POST read up front when its declared Content-Length is at most
 * EAGER_BODY_BYTES, kept on the task like any body read (a later `request.body` takes these
 * bytes); null when it stays in the stream. A body that cannot be read is left for the
 * `request.body` effect to report.
 */
export async function eagerBody(scope) {
  const { request } = scope;
  if (request.method !== "POST" || request.body === null) return null;
  const declared = declaredLength(request.headers);
  if (declared === null || declared > EAGER_BODY_BYTES) return null;
  scope.requestBodyTaken = true;
  try {
    scope.requestBytes = await readCapped(request.body, EAGER_BODY_BYTES);
  } catch {
    return null;
  }
  return scope.requestBytes;
}

export async function performRequestBody(effect, scope) {
  const maxBytes = Number.isFinite(effect.max_bytes) && effect.max_bytes >= 0 ? effect.max_bytes : null;
  if (scope.requestBytes) {
    if (maxBytes != null && scope.requestBytes.length > maxBytes) {
      return { error: { code: "too_large", message: `body exceeds ${maxBytes} bytes` } };
    }
    return { body: scope.requestBytes };
  }
  if (scope.requestBodyTaken) {
    return { error: { code: "consumed", message: "the request body was already read or streamed" } };
  }
  const declared = scope.request.headers.get("content-length");
  if (maxBytes != null && declared != null && Number(declared) > maxBytes) {
    return { error: { code: "too_large", message: `content-length ${declared} exceeds ${maxBytes} bytes` } };
  }
  scope.requestBodyTaken = true;
  try {
    scope.requestBytes = await readCapped(scope.request.body, maxBytes);
  } catch (err) {
    if (err instanceof TooLarge) return { error: { code: "too_large", message: err.message } };
    return { error: { code: "network", message: `reading the request body failed: ${err?.message ?? err}` } };
  }
  return { body: scope.requestBytes };
}
