// Memory: the core's wasm linear memory across many requests (read from the admin deep health
// check), and workerd's resident memory while an asset upload streams through to R2.

import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { hammer } from "./load.mjs";
import { processMemory } from "./targets.mjs";

/** The core's linear memory in bytes, as our Worker reports it to the admin. */
export async function linearMemory(target, adminToken) {
  const res = await target.fetch("/health?deep=1", { headers: { authorization: `Bearer ${adminToken}` } });
  const body = await res.json();
  if (!Number.isInteger(body.wasm_memory_bytes)) {
    throw new Error(`deep health did not report wasm_memory_bytes (${res.status}): ${JSON.stringify(body)}`);
  }
  return body.wasm_memory_bytes;
}

/**
 * One plan that cycles through `weighted` ([plan, times] pairs), each plan `times` in a row
 * per cycle (method, path, headers, body).
 */
export function mixedPlan(weighted) {
  const cycle = weighted.flatMap(([plan, times]) => Array(times).fill(plan));
  let i = 0;
  return {
    method: cycle[0].method,
    path: cycle[0].path,
    next() {
      const plan = cycle[i++ % cycle.length];
      return { method: plan.method, path: plan.path, ...plan.next() };
    },
  };
}

/**
 * Linear memory after the first request, then after each checkpoint's cumulative number of
 * requests of `plan`: [{requests, bytes, failures}].
 */
export async function memoryAcrossRequests(target, plan, adminToken, { checkpoints, connections }) {
  const out = [{ requests: 1, bytes: await linearMemory(target, adminToken), failures: 0 }];
  let done = 0;
  let failures = 0;
  for (const total of checkpoints) {
    const r = await hammer(target, plan, { connections, amount: total - done });
    failures += r.failures;
    done = total;
    out.push({ requests: total, bytes: await linearMemory(target, adminToken), failures });
  }
  return out;
}

/** PUTs `size` bytes, streamed in 64 KiB chunks, with a Content-Length; resolves to the status. */
function streamUpload(url, headers, size) {
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: "PUT", headers: { ...headers, "content-length": size } }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode));
    });
    req.on("error", reject);
    let sent = 0;
    const pump = () => {
      while (sent < size) {
        const n = Math.min(chunk.length, size - sent);
        sent += n;
        if (!req.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return void req.once("drain", pump);
      }
      req.end();
    };
    pump();
  });
}

/**
 * Peak resident memory of a fresh workerd while one upload of `size` bytes streams into R2
 * (persisted on disk, so stored bytes do not count): {baseline, peak, growth} in bytes, plus
 * the core's linear memory after the upload when `adminToken` is given.
 */
export async function uploadPeak(start, size, { headers = {}, adminToken = null } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "alphogen-bench-r2-"));
  const target = await start(dir);
  try {
    await (await target.fetch("/health")).arrayBuffer();
    const baseline = processMemory(target.pid).rss;
    let peak = baseline;
    const sampler = setInterval(() => {
      peak = Math.max(peak, processMemory(target.pid).rss);
    }, 5);
    let status;
    try {
      status = await streamUpload(new URL(`/assets/bench/upload-${size}.bin`, target.url), headers, size);
    } finally {
      clearInterval(sampler);
    }
    if (status !== 200 && status !== 201) throw new Error(`${target.name}: upload of ${size} bytes answered ${status}`);
    peak = Math.max(peak, processMemory(target.pid).rss);
    const linear = adminToken ? await linearMemory(target, adminToken) : null;
    return { size, baseline, peak, growth: peak - baseline, linear };
  } finally {
    await target.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
