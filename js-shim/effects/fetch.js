// The `fetch` effect: an outgoing HTTP request with a timeout and a size-capped body; with
// `store`, a successful reply's files go into R2 (./reply-files.js). A `stream` fetch keeps its
// reply's body for the task to read (./held-body.js).

import { readCapped, TooLarge } from "./read-capped.js";
import { storeReply, StoreError } from "./reply-files.js";
import { headerEntries } from "../headers.js";

const DEFAULT_TIMEOUT_MS = 10000;
const DEFAULT_MAX_BYTES = 10 * 1024 * 1024;

export function isTimeout(err, signal) {
  return signal.aborted || err?.name === "TimeoutError" || err?.name === "AbortError";
}

/**
 * Sends the effect's request: {response, signal, timeoutMs, maxBytes}, or {error} when no reply
 * came. The timeout covers the body too: reading it after the timeout fails.
 */
export async function sendRequest(effect) {
  const timeoutMs = Number.isFinite(effect.timeout_ms) && effect.timeout_ms > 0 ? effect.timeout_ms : DEFAULT_TIMEOUT_MS;
  const maxBytes = Number.isFinite(effect.max_bytes) && effect.max_bytes >= 0 ? effect.max_bytes : DEFAULT_MAX_BYTES;
  const signal = AbortSignal.timeout(timeoutMs);
  const method = (effect.method ?? "GET").toUpperCase();
  const headers = new Headers();
  for (const [k, v] of headerEntries(effect.headers)) headers.append(k, v);
  const init = { method, headers, signal };
  if (effect.body != null && method !== "GET" && method !== "HEAD") init.body = effect.body;
  try {
    return { response: await fetch(effect.url, init), signal, timeoutMs, maxBytes };
  } catch (err) {
    if (isTimeout(err, signal)) return { error: { code: "timeout", message: `no response within ${timeoutMs} ms` } };
    return { error: { code: "network", message: String(err?.message ?? err) } };
  }
}

/** The reply read whole, as the core gets it: status, headers, body (or what went wrong). */
export async function readReply({ response, signal, timeoutMs, maxBytes }, effect, env) {
  const declared = Number(response.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => {});
    return { error: { code: "too_large", message: `response declares ${declared} bytes, cap ${maxBytes}`, status: response.status } };
  }
  let body;
  let stored;
  try {
    if (effect.store && response.ok) ({ body, stored } = await storeReply(response, effect.store, env));
    else body = await readCapped(response.body, maxBytes);
  } catch (err) {
    if (err instanceof TooLarge) return { error: { code: "too_large", message: err.message, status: response.status } };
    if (err instanceof StoreError) return { error: { code: err.code, message: err.message, status: response.status } };
    if (isTimeout(err, signal)) return { error: { code: "timeout", message: `body not received within ${timeoutMs} ms` } };
    return { error: { code: "network", message: String(err?.message ?? err) } };
  }
  return {
    status: response.status,
    headers: [...response.headers],
    body, // a Uint8Array: the frame encoder moves it into the blob section
    ...(stored ? { stored } : {}),
  };
}

/** `env` holds the R2 binding a `store` writes to. */
export async function performFetch(effect, env) {
  const sent = await sendRequest(effect);
  if (sent.error) return sent;
  return readReply(sent, effect, env);
}
