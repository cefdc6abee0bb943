// The Worker's entry points. Everything is decided by the C++ core (build/wasm/alphogen.wasm);
// this file only runs tasks and turns their answers into Responses. See src/abi/README.md.

import wasmModule from "../build/wasm/alphogen.wasm";
import { coreFor } from "./core-instance.js";
import { TaskScope, drive, fetchStart } from "./task.js";
import { errorResponse, toResponse } from "./respond.js";
import { eagerBody } from "./effects/request-body.js";

export { Outbound } from "./outbound.js";

function logFailure(msg, err, requestId) {
  const entry = { level: "error", msg, request_id: requestId, error: String(err?.message ?? err) };
  if (err?.cause) entry.cause = String(err.cause);
  console.error(entry);
}

export default {
  async fetch(request, env, ctx) {
    const requestId = crypto.randomUUID();
    let core;
    try {
      core = coreFor(wasmModule, env);
    } catch (err) {
      logFailure("core instantiation failed", err, requestId);
      return errorResponse(500, "the service could not start", requestId);
    }
    const scope = new TaskScope({ request, env, ctx, requestId });
    try {
      const step = await drive(core, fetchStart(request, await eagerBody(scope), requestId), scope);
      if (!step.response) throw new Error("fetch task finished without a response");
      return toResponse(step.response, scope);
    } catch (err) {
      logFailure("request failed inside the core", err, scope.requestId);
      return errorResponse(500, "the request could not be completed", scope.requestId);
    } finally {
      if (!scope.stream) scope.finish(); // a streamed body's scope finishes when the body ends
    }
  },

  async scheduled(controller, env, ctx) {
    const requestId = crypto.randomUUID();
    const core = coreFor(wasmModule, env);
    const scope = new TaskScope({ env, ctx, requestId });
    try {
      await drive(core, { kind: "scheduled", now: Date.now(), cron: controller.cron, request_id: requestId }, scope);
    } catch (err) {
      logFailure("scheduled task failed inside the core", err, scope.requestId);
      throw err;
    } finally {
      scope.finish();
    }
  },

  // Each message is a background job the core put on the Queue (`queue.send`), run as its own
  // task. A task that fails inside the core is retried by the Queue (at-least-once: the core
  // makes a second run harmless); one that finishes is acknowledged.
  async queue(batch, env, ctx) {
    const core = coreFor(wasmModule, env);
    await Promise.all(batch.messages.map(async (message) => {
      const requestId = crypto.randomUUID();
      const scope = new TaskScope({ env, ctx, requestId });
      try {
        await drive(core, { kind: "background", now: Date.now(), job: message.body, request_id: requestId }, scope);
        message.ack();
      } catch (err) {
        logFailure("queue message failed inside the core", err, scope.requestId);
        message.retry();
      } finally {
        scope.finish();
      }
    }));
  },
};
