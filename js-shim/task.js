// One request (or cron run) = one task of the core. TaskScope holds what the task's effects
// share: the request, its Postgres client, R2 body handles and background (waitUntil) work.
// drive() is the whole loop: start, perform the step's effects, resume, until an answer.

import { CoreError } from "./core-instance.js";
import { performAll, performBackground } from "./effects/index.js";
import { endTaskClient } from "./effects/sql.js";
import { requestHeaderList } from "./headers.js";

export class TaskScope {
  constructor({ request = null, env, ctx, requestId }) {
    this.request = request;
    this.env = env;
    this.ctx = ctx;
    this.requestId = requestId;
    this.sql = null; // the database client, see effects/sql.js
    this.requestBodyTaken = false;
    this.requestBytes = null;
    this.handles = new Map();
    this.nextHandle = 1;
    this.pending = [];
  }

  /** Keeps an R2 object body for the response; returns its handle. */
  holdHandle(body) {
    const handle = this.nextHandle++;
    this.handles.set(handle, body);
    return handle;
  }

  /** Hands a held body over (to the response); undefined if unknown. */
  takeHandle(handle) {
    const body = this.handles.get(handle);
    this.handles.delete(handle);
    return body;
  }

  dropHandle(handle) {
    this.takeHandle(handle)?.cancel().catch(() => {});
  }

  /** Runs `promise` past the response (ctx.waitUntil) and before the task's client ends. */
  background(promise) {
    this.pending.push(promise);
    this.ctx.waitUntil(promise);
  }

  /**
   * Task end: cancel unused handles and an unread request body, close the database client
   * after background work.
   */
  finish() {
    for (const handle of [...this.handles.keys()]) this.dropHandle(handle);
    // A body refused on its Content-Length is never read: left open, workerd's dev server
    // failed the connection's next request ("worker restarted mid-request").
    if (this.request?.body && !this.request.bodyUsed) this.request.body.cancel().catch(() => {});
    endTaskClient(this, Promise.allSettled(this.pending));
  }
}

/**
 * The start frame of a fetch task, with `body` (bytes read up front, see eagerBody) when
 * there is one; otherwise the body stays out and handlers ask for it as an effect.
 */
export function fetchStart(request, body = null, requestId = undefined) {
  const frame = {
    kind: "fetch",
    now: Date.now(),
    request_id: requestId,
    request: {
      method: request.method,
      url: request.url,
      headers: requestHeaderList(request.headers),
      has_body: request.body !== null,
    },
  };
  if (body) frame.request.body = body;
  return frame;
}

/** Runs a task to its final step ({response} or {done}). Throws CoreError on a trap or bad frame. */
export async function drive(core, start, scope) {
  let step = core.start(start);
  for (;;) {
    if (step == null || typeof step !== "object") throw new CoreError("core answered a non-object step");
    if (typeof step.request_id === "string") scope.requestId = step.request_id; // the core's choice
    if (step.error) throw new CoreError(`core answered ${step.error}: ${step.message ?? ""}`);
    if (step.response || step.done) {
      // fire-and-forget effects handed over with the final step (results ignored)
      for (const effect of Array.isArray(step.wait_until) ? step.wait_until : []) performBackground(effect, scope);
      for (const job of Array.isArray(step.background) ? step.background : []) {
        scope.background(runBackground(core, job, scope));
      }
      return step;
    }
    if (!Array.isArray(step.effects)) throw new CoreError("step has neither effects, response nor done");
    const results = await performAll(step.effects, scope);
    step = core.resume({ task: step.task, now: Date.now(), results });
  }
}

/** A job the core handed over with the final step: a task of its own (own scope and
 *  database client), driven under ctx.waitUntil of the task that started it. */
async function runBackground(core, job, parent) {
  const scope = new TaskScope({ env: parent.env, ctx: parent.ctx, requestId: parent.requestId });
  try {
    await drive(core, { kind: "background", now: Date.now(), job, request_id: parent.requestId }, scope);
  } catch (err) {
    const name = typeof job?.name === "string" ? job.name : "?";
    console.error({ level: "error", msg: "background task failed inside the core", request_id: scope.requestId,
                    job: name, error: String(err?.message ?? err) });
  } finally {
    scope.finish();
  }
}
