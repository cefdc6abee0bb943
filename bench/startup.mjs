// Size and start-up: the wasm's size raw and gzipped, compiling and instantiating it (with the
// shim's own imports, in node's V8), the first request a fresh isolate answers; and the CPU
// time of one GET /health through the shim and the core, without a runtime around them.

import fs from "node:fs";
import zlib from "node:zlib";
import { performance } from "node:perf_hooks";
import { wasmPath } from "../tests/integration/harness/worker.mjs";
import { CoreInstance } from "../js-shim/core-instance.js";
import { TaskScope, drive, fetchStart } from "../js-shim/task.js";
import { median } from "./stats.mjs";

export function wasmSize(file = wasmPath()) {
  const bytes = fs.readFileSync(file);
  return { raw: bytes.length, gzip: zlib.gzipSync(bytes, { level: 9 }).length };
}

/**
 * Median milliseconds of compiling the module, and of CoreInstance (instantiate, _initialize,
 * ag_init with `env`): what the shim does on an isolate's first request.
 */
export function instantiateTimes(env, { repeats }, file = wasmPath()) {
  const bytes = fs.readFileSync(file);
  const compile = [];
  const instantiate = [];
  for (let i = 0; i < repeats; i++) {
    let t = performance.now();
    const mod = new WebAssembly.Module(bytes);
    compile.push(performance.now() - t);
    t = performance.now();
    new CoreInstance(mod, env);
    instantiate.push(performance.now() - t);
  }
  return { compileMs: median(compile), instantiateMs: median(instantiate) };
}

/**
 * Microseconds per GET /health driven in-process (shim task loop + core, as worker.js does it),
 * the median of `batches` batches after a warm-up: a figure far less noisy than loopback load,
 * for comparing builds of the core.
 */
export async function healthCpuMicros(env, { batches = 5, perBatch = 4000 } = {}, file = wasmPath()) {
  const core = new CoreInstance(new WebAssembly.Module(fs.readFileSync(file)), env);
  const request = new Request("http://127.0.0.1:8787/health", { headers: { host: "127.0.0.1:8787", accept: "*/*" } });
  const ctx = { waitUntil() {} };
  const once = async () => {
    const scope = new TaskScope({ request, env, ctx, requestId: crypto.randomUUID() });
    await drive(core, fetchStart(request), scope);
    scope.finish();
  };
  // the core's access log line per request would flood the benchmark's output
  const log = console.log;
  console.log = () => {};
  try {
    for (let i = 0; i < perBatch; i++) await once();
    const perRequest = [];
    for (let b = 0; b < batches; b++) {
      const t = performance.now();
      for (let i = 0; i < perBatch; i++) await once();
      perRequest.push(((performance.now() - t) * 1000) / perBatch);
    }
    return median(perRequest);
  } finally {
    console.log = log;
  }
}

async function timedFetch(target, path) {
  const t = performance.now();
  const res = await target.fetch(path);
  await res.arrayBuffer();
  if (!res.ok) throw new Error(`${target.name} ${path}: ${res.status}`);
  return performance.now() - t;
}

/**
 * For each fresh start of a target: milliseconds until workerd is ready, the first GET /health,
 * and the median of the next `warm` ones, sent one at a time.
 */
export async function firstRequest(start, { repeats, warm = 20 }) {
  const ready = [];
  const first = [];
  const steady = [];
  for (let i = 0; i < repeats; i++) {
    const t = performance.now();
    const target = await start();
    try {
      ready.push(performance.now() - t);
      first.push(await timedFetch(target, "/health"));
      const after = [];
      for (let j = 0; j < warm; j++) after.push(await timedFetch(target, "/health"));
      steady.push(median(after));
    } finally {
      await target.stop();
    }
  }
  return { readyMs: median(ready), firstMs: median(first), steadyMs: median(steady) };
}
