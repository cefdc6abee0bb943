// The benchmark harness works end to end (`bench/run.mjs --quick`): every target answers every
// endpoint with 2xx under load, and each section produces its figures; the latency section's
// delaying proxy forwards bytes unchanged. No timing is checked here: speed is the benchmark's
// business (BENCHMARKS.md), not the tests'.

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import { startDelayProxy } from "../../bench/delay-proxy.mjs";
import { STEPS } from "../../bench/steps.mjs";
import { serverUrl } from "./harness/postgres.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const run = promisify(execFile);
const MB = 1024 * 1024;
/** An unusual round trip for the latency section, so that the report is seen to state it. */
const RTT_MS = 7;
const LATENCY_ENDPOINTS = ["credits", "job-get", "jobs-create", "me-hs256", "runpod-callback", "webhook"];

let out;
let results;

before(async () => {
  out = fs.mkdtempSync(path.join(os.tmpdir(), "alphogen-bench-test-"));
  await run(process.execPath, [path.join(ROOT, "bench/run.mjs"), "--quick", `--out=${out}`, `--rtt-ms=${RTT_MS}`], {
    env: { ...process.env, AG_TEST_PG_URL: await serverUrl() },
    maxBuffer: 16 << 20,
  }).catch((err) => {
    throw new Error(`bench/run.mjs --quick failed:\n${err.stderr}`);
  });
  results = JSON.parse(fs.readFileSync(path.join(out, "results.json"), "utf8"));
});

after(() => fs.rmSync(out, { recursive: true, force: true }));

test("every endpoint is loaded on every target, and only 2xx answers count", () => {
  const keys = Object.keys(results.load).sort();
  assert.deepEqual(keys, [
    "health/bare", "health/bare-headers", "health/hono", "health/hono-contract", "health/ours",
    "me-es256-fresh/hono", "me-es256-fresh/hono-contract", "me-es256-fresh/ours",
    "me-es256/hono", "me-es256/hono-contract", "me-es256/ours",
    "me-hs256/hono", "me-hs256/hono-contract", "me-hs256/ours",
    "webhook/hono", "webhook/hono-contract", "webhook/ours",
  ]);
  for (const [key, r] of Object.entries(results.load)) {
    assert.equal(r.failures, 0, `${key} had non-2xx answers`);
    assert.ok(r.rps.median > 0, `${key} served nothing`);
    assert.ok(r.cpuMicros.median > 0, `${key}: no CPU read for its workerd`);
    assert.ok(r.p50.median <= r.p99.median, `${key} percentiles out of order`);
  }
  assert.equal(results.load["webhook/ours"].path, "/webhooks/stripe");
  // the bare Worker's second floor sends what ours sends, to the header
  assert.deepEqual(results.load["health/bare-headers"].headerNames, results.load["health/ours"].headerNames);
  assert.notDeepEqual(results.load["health/bare"].headerNames, results.load["health/ours"].headerNames);
  // and so does the Hono Worker with ours' contract, on every endpoint
  for (const endpoint of ["health", "me-hs256", "me-es256", "me-es256-fresh", "webhook"]) {
    const [contract, ours] = [results.load[`${endpoint}/hono-contract`], results.load[`${endpoint}/ours`]];
    assert.deepEqual(contract.headerNames, ours.headerNames, endpoint);
    assert.notDeepEqual(results.load[`${endpoint}/hono`].headerNames, ours.headerNames, endpoint);
  }
  assert.equal(results.load["webhook/hono"].path, "/webhooks/stripe");
});

test("the report states the size and start-up of the core", () => {
  const { size, instantiate, healthCpuMicros, fresh } = results.startup;
  assert.ok(size.gzip > 0 && size.gzip < size.raw);
  assert.ok(instantiate.instantiateMs > 0);
  assert.ok(healthCpuMicros > 0);
  assert.deepEqual(Object.keys(fresh).sort(), ["bare", "hono", "ours"]);
  assert.ok(fresh.ours.firstMs > 0);
});

test("linear memory is read at each checkpoint, and upload bytes stay out of wasm", () => {
  const { linear, uploads } = results.memory;
  assert.deepEqual(linear.map((p) => p.requests), [1, ...results.settings.memoryCheckpoints]);
  for (const p of linear) {
    assert.ok(Number.isInteger(p.bytes) && p.bytes % 65536 === 0, `not a page multiple: ${p.bytes}`);
    assert.equal(p.failures, 0);
  }
  const ours = uploads.filter((u) => u.target === "ours");
  assert.deepEqual(ours.map((u) => u.size), results.settings.uploads);
  // 10 MiB through a core whose memory stays well below it: the bytes went around wasm
  const largest = ours.at(-1);
  assert.ok(largest.size >= 10 * MB);
  assert.ok(largest.linear < largest.size, `linear memory ${largest.linear} after a ${largest.size}-byte upload`);
});

test("work per request counts the database and the provider", () => {
  const get = (endpoint, target) => results.work.find((w) => w.endpoint === endpoint && w.target === target);
  for (const w of results.work) assert.equal(w.steady.status, 200, `${w.endpoint} on ${w.target}`);
  // GET /me reads the balance and the subscription in one statement, the same on both stacks
  assert.equal(get("me-hs256", "ours").steady.statements, 1);
  assert.deepEqual(get("me-hs256", "hono").steady.sql, get("me-hs256", "ours").steady.sql);
  // the webhook applies the event with one statement, the same on both stacks
  assert.equal(get("webhook", "ours").steady.statements, 1);
  assert.deepEqual(get("webhook", "hono").steady.sql, get("webhook", "ours").steady.sql);
  // the endpoints of the latency section send the same statements on ours and both Hono
  // drivers; node-postgres needs one round trip per statement, postgres.js two
  for (const endpoint of ["jobs-create", "job-get", "credits", "runpod-callback", "me-hs256", "webhook"]) {
    const [ours, hono, honoPg] = ["ours", "hono", "hono-pg"].map((t) => get(endpoint, t).steady);
    assert.deepEqual(hono.sql, ours.sql, endpoint);
    assert.deepEqual(honoPg.sql, ours.sql, endpoint);
    assert.equal(ours.roundTrips, ours.statements, endpoint);
    assert.equal(honoPg.roundTrips, honoPg.statements, endpoint);
    assert.equal(hono.roundTrips, 2 * hono.statements, endpoint);
  }
  // issue 27's targets: one statement each, and POST /jobs two beside its call to RunPod
  for (const endpoint of ["me-hs256", "credits", "job-get", "webhook"]) assert.equal(get(endpoint, "ours").steady.statements, 1, endpoint);
  assert.equal(get("jobs-create", "ours").steady.statements, 2);
  assert.equal(get("jobs-create", "ours").steady.providerCalls, 1);
  // ES256: the JWKS is fetched by the first request of an isolate, then cached
  assert.equal(get("me-es256", "ours").first.providerCalls, 1);
  assert.equal(get("me-es256", "ours").steady.providerCalls, 0);
  assert.equal(get("health", "ours").steady.roundTrips, 0);
});

test("the delaying proxy forwards bytes unchanged, in order, both ways, and then the end", async () => {
  const seen = [];
  const echo = net.createServer({ allowHalfOpen: true }, (socket) => {
    socket.on("data", (chunk) => seen.push(chunk));
    socket.pipe(socket);
  });
  await new Promise((resolve) => echo.listen(0, "127.0.0.1", resolve));
  const proxy = await startDelayProxy({ host: "127.0.0.1", port: echo.address().port, rttMs: RTT_MS });
  try {
    const sent = crypto.randomBytes(256 * 1024);
    const echoed = await new Promise((resolve, reject) => {
      const chunks = [];
      const socket = net.connect({ host: "127.0.0.1", port: proxy.port }, () => {
        // many small writes: chunks queued behind each other must keep their order
        for (let i = 0; i < sent.length; i += 1000) socket.write(sent.subarray(i, i + 1000));
        socket.end();
      });
      socket.on("data", (chunk) => chunks.push(chunk));
      socket.on("end", () => resolve(Buffer.concat(chunks)));
      socket.on("error", reject);
    });
    assert.ok(Buffer.concat(seen).equals(sent), "the server received other bytes than were sent");
    assert.ok(echoed.equals(sent), "the client received other bytes than the server sent");
    const stats = proxy.stats();
    assert.equal(stats.connections, 1);
    assert.equal(stats.bytes, 2 * sent.length);
  } finally {
    await proxy.close();
    await new Promise((resolve) => echo.close(resolve));
  }
});

test("the latency section measures every endpoint on every target, through the delaying proxy", () => {
  const { latency } = results;
  assert.equal(latency.rttMs, RTT_MS);
  assert.match(fs.readFileSync(path.join(out, "report.md"), "utf8"), new RegExp(`adds ${RTT_MS} ms of round trip`));
  const keys = latency.results.map((r) => `${r.endpoint}/${r.target}`).sort();
  assert.deepEqual(keys, LATENCY_ENDPOINTS.flatMap((e) => ["hono-contract", "hono-pg", "ours"].map((t) => `${e}/${t}`)));
  for (const r of latency.results) {
    assert.equal(r.p50.runs, results.settings.latencyRounds, `${r.endpoint}/${r.target}`);
    assert.ok(r.p50.median > 0 && r.p50.median <= r.p99.median, `${r.endpoint}/${r.target}: p50 ${r.p50.median}, p99 ${r.p99.median}`);
  }
  // the Workers' statements went through the proxy, both ways
  assert.ok(latency.proxy.connections > 0 && latency.proxy.chunks > 0 && latency.proxy.bytes > 0);
});

test("the profile splits ours' CPU under load by kind of code", () => {
  assert.deepEqual(results.profile.map((p) => `${p.endpoint}/${p.target}`).sort(), [
    "health/bare", "health/hono", "health/ours", "me-hs256/hono", "me-hs256/ours", "webhook/hono", "webhook/ours",
  ]);
  for (const p of results.profile) {
    const key = `${p.endpoint}/${p.target}`;
    assert.ok(p.samples > 0 && p.rps > 0, `${key}: nothing sampled`);
    const total = p.kinds.reduce((sum, k) => sum + k.share, 0);
    assert.ok(Math.abs(total - 1) < 1e-9, `${key}: shares add up to ${total}`);
    // the samples are of the Worker's own isolate, not Miniflare's: only ours runs wasm
    const wasm = p.kinds.some((k) => k.name === "core (wasm)" && k.share > 0);
    assert.equal(wasm, p.target === "ours", `${key}: wasm samples ${wasm ? "present" : "missing"}`);
  }
});

test("the steps section times each step of ours' request path inside workerd", () => {
  assert.deepEqual(results.steps.map((s) => s.step), STEPS.map(([step]) => step));
  for (const s of results.steps) assert.ok(Number.isFinite(s.micros), `${s.step}: ${s.micros}`);
});
