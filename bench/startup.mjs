// Size and start-up: the wasm's size raw and gzipped, compiling and instantiating it (with the
// shim's own imports, in node's V8), and the first request a fresh isolate answers.

import fs from "node:fs";
import zlib from "node:zlib";
import { performance } from "node:perf_hooks";
import { wasmPath } from "../tests/integration/harness/worker.mjs";
import { CoreInstance } from "../js-shim/core-instance.js";
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
