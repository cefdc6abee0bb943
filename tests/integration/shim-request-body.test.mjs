// Small POST bodies travel in the start frame (js-shim/effects/request-body.js eagerBody,
// src/abi/README.md): which bodies are read up front, that the task keeps them for a later
// `request.body`, and that the real core takes the frame, in this process.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import { test } from "node:test";
import { CoreInstance, frameParts } from "../../js-shim/core-instance.js";
import { EAGER_BODY_BYTES, eagerBody, performRequestBody } from "../../js-shim/effects/request-body.js";
import { TaskScope, fetchStart } from "../../js-shim/task.js";
import { startWorker, wasmPath } from "./harness/worker.mjs";

const URL_BASE = "http://127.0.0.1/";

function scopeFor(method, body, headers = {}) {
  const request = new Request(new URL("/webhooks/stripe", URL_BASE), { method, body, headers, duplex: "half" });
  return new TaskScope({ request, env: {}, ctx: { waitUntil() {} }, requestId: "t" });
}

test("a small POST body is read up front, and a later request.body gets the same bytes", async () => {
  const text = '{"id":"evt_1"}';
  const scope = scopeFor("POST", text, { "content-length": String(text.length) });
  const body = await eagerBody(scope);
  assert.equal(new TextDecoder().decode(body), text);
  assert.equal(scope.requestBodyTaken, true);
  const asked = await performRequestBody({ max_bytes: 1024 }, scope);
  assert.equal(asked.body, body);
  assert.deepEqual(await performRequestBody({ max_bytes: 4 }, scope), {
    error: { code: "too_large", message: "body exceeds 4 bytes" },
  });
});

test("PUT bodies, large bodies and bodies of unknown length stay in the stream", async () => {
  const big = "x".repeat(EAGER_BODY_BYTES + 1);
  for (const scope of [
    scopeFor("PUT", "abc", { "content-length": "3" }),
    scopeFor("POST", big, { "content-length": String(big.length) }),
    scopeFor("POST", new Blob(["abc"]).stream()),
    scopeFor("GET"),
  ]) {
    assert.equal(await eagerBody(scope), null, scope.request.method);
    assert.equal(scope.requestBodyTaken, false, scope.request.method);
  }
});

test("the core reads a body that came in the start frame without asking for it", async () => {
  const secret = "whsec_request_body_test";
  const env = { STRIPE_WEBHOOK_SECRET: secret, DATABASE_URL: "postgres://unused" };
  const core = new CoreInstance(new WebAssembly.Module(fs.readFileSync(wasmPath())), env);
  const text = JSON.stringify({ id: "evt_1", object: "event", type: "customer.created", created: 1, data: { object: {} } });
  const t = Math.floor(Date.now() / 1000);
  const signature = `t=${t},v1=${crypto.createHmac("sha256", secret).update(`${t}.${text}`).digest("hex")}`;
  const scope = scopeFor("POST", text, { "content-length": String(text.length), "stripe-signature": signature });
  const frame = fetchStart(scope.request, await eagerBody(scope));
  assert.match(frameParts(frame).json, new RegExp(`"has_body":true,"body":\\{"blob":\\[0,${text.length}\\]\\}`));
  const step = core.start(frame);
  // Verified and parsed from the frame's bytes: the first step is already the statement.
  assert.deepEqual(step.effects?.map((e) => e.op), ["sql"], JSON.stringify(step));
  assert.equal(step.effects[0].params[0], "evt_1");
});

test("a request body nobody read (a 413 on its Content-Length) is cancelled when the task ends", async () => {
  let cancelled = false;
  const stream = new ReadableStream({
    pull(controller) {
      controller.enqueue(new Uint8Array(1024));
    },
    cancel() {
      cancelled = true;
    },
  });
  const unread = scopeFor("POST", stream, { "content-length": String(1 << 20) });
  unread.finish();
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(cancelled, true, "the unread body was left open: workerd's dev server then fails the next request");

  // A body that was read (or streamed into R2) is the reader's, not cancelled again.
  const read = scopeFor("POST", '{"a":1}', { "content-length": "7" });
  await eagerBody(read);
  read.finish();
  assert.equal(read.request.bodyUsed, true);
});

test("a small body nobody read is read to its end when the task ends, not cancelled", async () => {
  let cancelled = false;
  let delivered = 0;
  const chunks = [new Uint8Array(10), new Uint8Array(10)];
  const stream = new ReadableStream({
    pull(controller) {
      const chunk = chunks.shift();
      if (!chunk) return controller.close();
      delivered += chunk.length;
      controller.enqueue(chunk);
    },
    cancel() {
      cancelled = true;
    },
  });
  const waited = [];
  const request = new Request(new URL("/assets/a%5Cb", URL_BASE), {
    method: "PUT",
    body: stream,
    headers: { "content-length": "20" },
    duplex: "half",
  });
  const scope = new TaskScope({ request, env: {}, ctx: { waitUntil: (p) => waited.push(p) }, requestId: "t" });
  scope.finish();
  await Promise.all(waited);
  assert.equal(cancelled, false);
  assert.equal(delivered, 20, "read to its end, under waitUntil");
});

test("answers that leave a small body unread keep every connection through the assets router", async () => {
  // A PUT refused on its key is answered without reading "x". Cancelling that body reset about
  // 3 in 100 connections behind wrangler.toml's Static Assets router (ECONNRESET at the client).
  const worker = await startWorker({ vars: { APP_ADMIN_TOKEN: "t" } });
  try {
    const failures = [];
    for (let i = 0; i < 200; i++) {
      try {
        const res = await fetch(new URL("/assets/a%5Cb", worker.url), {
          method: "PUT",
          headers: { authorization: "Bearer t", "content-type": "text/plain" },
          body: "x",
        });
        assert.equal(res.status, 400);
        await res.arrayBuffer();
      } catch (err) {
        failures.push(`${i}: ${err.cause?.code ?? err.message}`);
      }
    }
    assert.deepEqual(failures, []);
  } finally {
    await worker.stop();
  }
});
