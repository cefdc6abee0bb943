// The benchmark's probe of what each step of ours' GET /health costs inside workerd
// (bench/steps.mjs). It is bundled from a staged copy that puts this file beside js-shim/ and
// build/wasm/ (buildBundle(wasm, entryDir) in tests/integration/harness/worker.mjs), so every
// step is the shim's own code on the real core.
//
// GET /?step=NAME&n=N runs the step N times on a copy of the probe request, as GET /health.
// workerd's clocks stand still while JavaScript runs, so the harness times the requests.

import wasmModule from "../build/wasm/alphogen.wasm";
import { coreFor, frameParts } from "../js-shim/core-instance.js";
import { requestHeaderList } from "../js-shim/headers.js";
import { toResponse } from "../js-shim/respond.js";
import { TaskScope, drive, fetchStart } from "../js-shim/task.js";

/** Runs `fn` with console.log replaced: the core's log entries leave through it. */
function withConsoleLog(replacement, fn) {
  const log = console.log;
  console.log = replacement;
  try {
    return fn();
  } finally {
    console.log = log;
  }
}

const STEPS = {
  none: () => 0,
  "request-headers": ({ request }) => requestHeaderList(request.headers).length,
  "start-frame": ({ request }) => frameParts(fetchStart(request)).json.length,
  "core-call": ({ core, request }) => withConsoleLog(() => {}, () => core.start(fetchStart(request)).response.status),
  "core-call-logged": ({ core, request }) => core.start(fetchStart(request)).response.status,
  "access-line-alone": ({ accessLine }) => {
    console.log(accessLine);
    return 1;
  },
  response: ({ answer }) => toResponse(answer, null).status,
  "core-response": ({ core, request }) =>
    toResponse(core.start(fetchStart(request)).response, null).status,
  "bare-response": () => Response.json({ ok: true, ts: Date.now(), version: "bench-bare" }).status,
  task: async ({ core, request, env, ctx }) => {
    const scope = new TaskScope({ request, env, ctx, requestId: "steps" });
    try {
      const step = await drive(core, fetchStart(request), scope);
      return toResponse(step.response, scope).status;
    } finally {
      scope.finish();
    }
  },
};

export default {
  async fetch(incoming, env, ctx) {
    const url = new URL(incoming.url);
    const run = STEPS[url.searchParams.get("step")];
    const n = Number(url.searchParams.get("n") ?? "1");
    if (!run || !Number.isInteger(n) || n < 0) return new Response("unknown step or bad n", { status: 400 });
    const core = coreFor(wasmModule, env);
    const request = new Request(new URL("/health", url), { headers: incoming.headers });
    const logged = [];
    const step = withConsoleLog((entry) => logged.push(entry), () => core.start(fetchStart(request)));
    if (step?.response?.status !== 200 || logged.length !== 1) {
      return new Response(`GET /health answered ${JSON.stringify(step)} with ${logged.length} log entries`, { status: 500 });
    }
    const input = { core, request, env, ctx, answer: step.response, accessLine: logged[0] };
    let sink = 0;
    for (let i = 0; i < n; i++) sink += await run(input);
    return new Response(`ok ${sink}`);
  },
};
