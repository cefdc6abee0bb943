// One request (or cron run) = one task of the core. TaskScope holds what the task's effects
// share: the request, its Postgres client, R2 body handles and background (waitUntil) work.
// drive() is the whole loop: start, perform the step's effects, resume, until an answer.

import { CoreError } from "./core-instance.js";
import { performAll, performBackground } from "./effects/index.js";
import { endTaskClient } from "./effects/sql.js";
import { requestHeaderList } from "./headers.js";
import { BodyStream } from "./stream.js";

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
    this.stream = null; // a streamed body's, see stream.js
    this.aborter = new AbortController(); // aborted when the core cancels the task
  }

  /** Aborted once the task is cancelled: pending sleeps end early. */
  get cancelled() {
    return this.aborter.signal;
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
    if (this.request?.body && !this.request.bodyUsed) this.#discardBody(this.request);
    endTaskClient(this, Promise.allSettled(this.pending));
  }

  /**
   * A body nobody read. Left open, workerd's dev server failed the connection's next request
   * ("worker restarted mid-request"); cancelled, the Static Assets router in front of the
   * Worker reset about 3 in 100 of those connections before the client read the answer. So a
   * small body is read to its end; a large one, or one of unknown length (a 413 decided on
   * Content-Length must not wait for gigabytes), is cancelled.
   */
  #discardBody(request) {
    const length = Number(request.headers.get("content-length") ?? NaN);
    if (length <= DRAIN_MAX_BYTES) this.ctx.waitUntil(request.body.pipeTo(new WritableStream()).catch(() => {}));
    else request.body.cancel().catch(() => {});
  }
}

const DRAIN_MAX_BYTES = 64 * 1024;

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

/**
 * Runs a task to its final step ({response} or {done}), or to the head of a streamed body: then
 * the rest runs on, under ctx.waitUntil, writing the body until the task ends or its client
 * goes away, and the scope finishes with it. Throws CoreError on a trap or bad frame.
 */
export async function drive(core, start, scope) {
  return run(core, core.start(start), scope);
}

async function run(core, first, scope) {
  let step = first;
  for (;;) {
    if (step == null || typeof step !== "object") throw new CoreError("core answered a non-object step");
    if (typeof step.request_id === "string") scope.requestId = step.request_id; // the core's choice
    if (step.error) throw new CoreError(`core answered ${step.error}: ${step.message ?? ""}`);
    if (step.response?.body?.stream === true) return streamOn(core, step, scope);
    if (step.response || step.done) {
      handOver(core, step, scope);
      return step;
    }
    if (!Array.isArray(step.effects)) throw new CoreError("step has neither effects, response nor done");
    const results = await performAll(step.effects, scope);
    if (scope.cancelled.aborted) return { done: true };
    step = core.resume({ task: step.task, now: Date.now(), results });
  }
}

/** Runs what a final step hands over: fire-and-forget effects (results ignored), background jobs. */
function handOver(core, step, scope) {
  for (const effect of Array.isArray(step.wait_until) ? step.wait_until : []) performBackground(effect, scope);
  for (const job of Array.isArray(step.background) ? step.background : []) {
    scope.background(runBackground(core, job, scope));
  }
}

/** The head of a streamed body: answered now; the task goes on writing the body. */
function streamOn(core, step, scope) {
  const { response, ...rest } = step;
  const gone = () => {
    if (scope.cancelled.aborted) return;
    scope.aborter.abort();
    try {
      handOver(core, core.cancel(step.task), scope); // what the task leaves to run without its client
    } catch {
      // a poisoned instance has no task left to cancel
    }
  };
  scope.stream = new BodyStream(gone);
  // The reader is cancelled only when a write finds the client gone; request.signal
  // (compatibility flag enable_request_signal) tells as soon as the connection closes.
  scope.request?.signal?.addEventListener("abort", gone, { once: true });
  const body = run(core, rest, scope)
    .catch((err) => {
      console.error({ level: "error", msg: "streamed body failed inside the core", request_id: scope.requestId,
                      error: String(err?.message ?? err) });
    })
    .finally(() => {
      scope.stream.close();
      scope.finish();
    });
  scope.ctx.waitUntil(body);
  return { ...step, response };
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
