// A reply body the task reads piece by piece (src/abi/README.md, "Held reply bodies"): `fetch`
// with `stream: true` answers a 2xx reply's status and headers with the body held as a handle of
// the task, and each `body.read` brings its next piece. NOTE: performed here, in the task's own
// invocation, not through OUTBOUND: the body is read across many steps of this task, and
// cancelled with it, so it must belong to this invocation.

import { isTimeout, readReply, sendRequest } from "./fetch.js";

/** `fetch` with `stream`: {status, headers, handle} for a 2xx reply; any other is read whole. */
export async function performStreamedFetch(effect, scope) {
  const sent = await sendRequest(effect);
  if (sent.error) return sent;
  const { response, signal, timeoutMs } = sent;
  if (!response.ok || !response.body) return readReply(sent, effect, scope.env);
  const reader = response.body.getReader();
  const held = { reader, signal, timeoutMs, cancel: () => reader.cancel() };
  return { status: response.status, headers: [...response.headers], handle: scope.holdHandle(held) };
}

/** `body.read`: {body} with the next piece, or {done: true} once the body has ended. */
export async function performBodyRead(effect, scope) {
  const held = scope.handles.get(effect.handle);
  if (!held?.reader) return { error: { code: "invalid_effect", message: `no held reply body ${effect.handle}` } };
  // A cancelled task stops waiting: the read ends as the body does.
  const stop = () => held.reader.cancel().catch(() => {});
  if (scope.cancelled.aborted) stop();
  else scope.cancelled.addEventListener("abort", stop, { once: true });
  try {
    const { done, value } = await held.reader.read();
    if (done) {
      scope.takeHandle(effect.handle);
      return { done: true };
    }
    return { body: value instanceof Uint8Array ? value : new Uint8Array(value) };
  } catch (err) {
    if (isTimeout(err, held.signal)) return { error: { code: "timeout", message: `body not received within ${held.timeoutMs} ms` } };
    return { error: { code: "network", message: String(err?.message ?? err) } };
  } finally {
    scope.cancelled.removeEventListener("abort", stop);
  }
}
