// Copying a job's output from a URL into R2 (js-shim/effects/r2.js, r2.put {from: "url"}), in
// this process against loopback servers: a redirect may lead only to https, never to clear
// text, so an output fetched over https can never be downgraded on its way.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { performR2 } from "../../js-shim/effects/r2.js";
import { startLoopbackServer } from "./harness/loopback-server.mjs";

let server;
let base;

before(async () => {
  server = await startLoopbackServer({
    "/file": { status: 200, headers: { "content-type": "text/plain" }, body: "data" },
    "/to-http": () => ({ status: 302, headers: { location: `${base}/file` } }),
    "/to-relative": { status: 301, headers: { location: "/file" } },
  });
  base = server.url;
});

after(() => server.close());

/** A scope whose ASSETS bucket records what was put. */
function scopeWithBucket() {
  const stored = [];
  const ASSETS = {
    async put(key, body) {
      const text = typeof body === "string" ? body : await new Response(body).text();
      stored.push({ key, text });
      return { key, size: text.length, etag: "e", uploaded: new Date(0) };
    },
  };
  return { scope: { env: { ASSETS } }, stored };
}

const copy = (scope, url) => performR2({ op: "r2.put", key: "outputs/u/j/1", body: { from: "url", url } }, scope);

test("an output URL is copied; a redirect to plain http is refused, nothing stored", async () => {
  const direct = scopeWithBucket();
  assert.equal((await copy(direct.scope, `${base}/file`)).size, 4);
  assert.deepEqual(direct.stored, [{ key: "outputs/u/j/1", text: "data" }]);

  for (const path of ["/to-http", "/to-relative"]) {
    const redirected = scopeWithBucket();
    const answer = await copy(redirected.scope, `${base}${path}`);
    assert.equal(answer.error?.code, "redirect_refused", `${path}: ${JSON.stringify(answer)}`);
    assert.deepEqual(redirected.stored, [], path);
  }
});
