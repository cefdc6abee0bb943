// The shim's frame codec (js-shim/core-instance.js) against the real core, in this process:
// frames are written straight into wasm memory, ASCII first, so text beyond ASCII must take the
// wider path intact, and bytes must still travel in the blob section.
import assert from "node:assert/strict";
import fs from "node:fs";
import { test } from "node:test";
import { SignJWT } from "jose";
import { CoreInstance, frameParts } from "../../js-shim/core-instance.js";
import { wasmPath } from "./harness/worker.mjs";

const SECRET = "frames-test-secret-".repeat(4);
const SUPABASE_URL = "http://127.0.0.1:9";
const USER_ID = "7b0e3c9e-1c1e-4b7a-9d6a-2f1f1f1f1f1f";

function startCore() {
  const env = { SUPABASE_URL, SUPABASE_JWT_SECRET: SECRET, DATABASE_URL: "postgres://unused" };
  return new CoreInstance(new WebAssembly.Module(fs.readFileSync(wasmPath())), env);
}

async function meFrame() {
  const token = await new SignJWT({ email: "frames@example.com", role: "authenticated" })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(USER_ID)
    .setIssuer(`${SUPABASE_URL}/auth/v1`)
    .setAudience("authenticated")
    .setIssuedAt()
    .setExpirationTime("10m")
    .sign(new TextEncoder().encode(SECRET));
  const headers = [["authorization", `Bearer ${token}`], ["user-agent", "frägile ✓ 🚀"]];
  return { kind: "fetch", now: Date.now(), request: { method: "GET", url: "http://127.0.0.1/me", headers, has_body: false } };
}

test("text beyond ASCII reaches the core and comes back intact", async (t) => {
  const core = startCore();
  const logs = [];
  t.mock.method(console, "log", (entry) => logs.push(entry));
  const step = core.start(await meFrame());
  assert.equal(step.effects?.[0]?.op, "sql", JSON.stringify(step));
  const plan = "plän ünicode ✓ 🚀 中文";
  const row = {
    balance: 10, subscription_id: "sub_ü", status: "active", plan_id: plan, price_id: "price_1",
    current_period_end: null, cancel_at_period_end: false, payment_failed_at: null,
  };
  const answer = core.resume({ task: step.task, now: Date.now(), results: [{ id: step.effects[0].id, rows: [row], count: 1 }] });
  assert.equal(answer.response?.status, 200, JSON.stringify(answer));
  const body = JSON.parse(answer.response.body);
  assert.equal(body.subscription.plan_id, plan);
  assert.equal(body.subscription.subscription_id, "sub_ü");
  assert.equal(logs.at(-1)?.msg, "request");
});

test("bytes move to the blob section; frames without bytes are plain JSON", () => {
  const plain = frameParts({ rows: [{ a: "x", b: null, c: [1, 2] }] });
  assert.equal(plain.json, '{"rows":[{"a":"x","b":null,"c":[1,2]}]}');
  assert.deepEqual(plain.blobs, []);

  const first = new Uint8Array([0, 255, 7]);
  const second = new Uint8Array([1, 2]).buffer;
  const parts = frameParts({ results: [{ id: 1, body: first }, { id: 2, nested: { body: second } }] });
  assert.equal(parts.json, '{"results":[{"id":1,"body":{"blob":[0,3]}},{"id":2,"nested":{"body":{"blob":[3,2]}}}]}');
  assert.deepEqual(parts.blobs.map((b) => [...b]), [[0, 255, 7], [1, 2]]);
  assert.equal(parts.blobBytes, 5);
});
