// The `request.body` effect: the incoming request body, copied into the core with a size cap.
// The body stream can be read once: the bytes are kept on the task for a second ask.

import { readCapped, TooLarge } from "./read-capped.js";

export async function performRequestBody(effect, scope) {
  const maxBytes = Number.isFinite(effect.max_bytes) && effect.max_bytes >= 0 ? effect.max_bytes : null;
  if (scope.requestBytes) {
    if (maxBytes != null && scope.requestBytes.length > maxBytes) {
      return { error: { code: "too_large", message: `body exceeds ${maxBytes} bytes` } };
    }
    return { body: scope.requestBytes };
  }
  if (scope.requestBodyTaken) {
    return { error: { code: "consumed", message: "the request body was already streamed elsewhere" } };
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
