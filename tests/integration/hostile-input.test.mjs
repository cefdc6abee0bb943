// Hostile input against the real Worker (wasm core + js-shim in workerd, local R2): requests
// anyone can send that once answered 500 or were misread (issue 19). Assets need no database.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { startWorker } from "./harness/worker.mjs";

const ADMIN = "hostile-admin-token";
const asAdmin = { authorization: `Bearer ${ADMIN}` };

let worker;

before(async () => {
  worker = await startWorker({ db: null, vars: { APP_ADMIN_TOKEN: ADMIN } });
});

after(async () => {
  await worker?.stop();
});

async function putPublic(key, text) {
  const res = await worker.fetch(`/assets/${key}`, {
    method: "PUT",
    headers: { ...asAdmin, "content-type": "text/plain" },
    body: text,
  });
  assert.equal(res.status, 200, await res.clone().text());
  return res.json();
}

describe("If-None-Match on a public asset", () => {
  test("malformed validators are ignored (200), never a 500; GET and HEAD agree", async () => {
    await putPublic("public/inm.txt", "hello");
    for (const value of ['"', 'W/"', "abc", '"a" b', "W/"]) {
      for (const method of ["GET", "HEAD"]) {
        const res = await worker.fetch("/assets/public/inm.txt", { method, headers: { "if-none-match": value } });
        await res.arrayBuffer();
        assert.equal(res.status, 200, `${method} If-None-Match: ${value}`);
      }
    }
  });

  test("a list matches when any tag does (304), weakly; a list of others is 200", async () => {
    const { etag } = await putPublic("public/inm-list.txt", "hello");
    for (const value of [`"x", W/"${etag}"`, `W/"x","${etag}"`, "*"]) {
      for (const method of ["GET", "HEAD"]) {
        const res = await worker.fetch("/assets/public/inm-list.txt", { method, headers: { "if-none-match": value } });
        await res.arrayBuffer();
        assert.equal(res.status, 304, `${method} If-None-Match: ${value}`);
      }
    }
    const other = await worker.fetch("/assets/public/inm-list.txt", { headers: { "if-none-match": '"x", "y"' } });
    assert.equal(other.status, 200);
    assert.equal(await other.text(), "hello");
  });
});

describe("a body refused on its Content-Length", () => {
  test("is answered 413, and the next POSTs are served", async () => {
    const post = (body) =>
      worker.fetch("/jobs", { method: "POST", headers: { ...asAdmin, "content-type": "application/json" }, body });
    for (let i = 0; i < 3; i++) {
      const big = await post("x".repeat(1 << 20));
      assert.equal(big.status, 413, await big.text());
      await big.arrayBuffer().catch(() => {});
      const next = await post('{"prompt":"a","input":[]}');
      const text = await next.text();
      assert.equal(next.status, 400, text);
      assert.match(text, /input must be an object/);
    }
  });
});
