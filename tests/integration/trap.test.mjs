// A trap inside wasm must not poison the isolate: the failing request gets a JSON 500 and
// the next one a fresh instance. Served by the real shim in workerd, with a stand-in core
// that traps on demand (tests/fixtures/trap_core.cpp).
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { startWorker } from "./harness/worker.mjs";

const worker = await startWorker({ wasm: "build/wasm/trap_fixture.wasm" });
after(() => worker.stop());

async function instanceOf(path) {
  const res = await worker.fetch(path);
  assert.equal(res.status, 200);
  return (await res.json()).instance;
}

test("a trap answers 500 and the next request runs on a fresh instance", async () => {
  const first = await instanceOf("/a");
  assert.equal(await instanceOf("/b"), first, "the instance is reused while healthy");

  const trapped = await worker.fetch("/trap");
  assert.equal(trapped.status, 500);
  assert.ok(trapped.headers.get("x-request-id"));
  const body = await trapped.json();
  assert.equal(body.ok, false);
  assert.equal(body.error, "internal_error");

  const after = await instanceOf("/c");
  assert.notEqual(after, first, "a new instance serves the request after the trap");
  assert.equal(await instanceOf("/d"), after);
});

test("the shim's own 500 carries the security headers of the core's answers", async () => {
  const real = await startWorker();
  try {
    const core = await real.fetch("/health");
    await core.arrayBuffer();
    const trapped = await worker.fetch("/trap");
    await trapped.arrayBuffer();
    assert.equal(trapped.status, 500);
    for (const name of ["x-content-type-options", "content-security-policy", "x-frame-options", "referrer-policy",
      "strict-transport-security", "cache-control"]) {
      assert.ok(core.headers.get(name), `the core sends ${name}`);
      assert.equal(trapped.headers.get(name), core.headers.get(name), name);
    }
  } finally {
    await real.stop();
  }
});
