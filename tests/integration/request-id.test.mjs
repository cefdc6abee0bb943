// One request id per request: the id the core puts on the access line and the response is
// the id of the shim's own lines for that request (here: a background effect that fails, the
// webhook log's insert into a database that is not there).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startWorker } from "./harness/worker.mjs";

const SECRET = "request-id-test-webhook-secret";
let worker;

before(async () => {
  worker = await startWorker({ db: null, vars: { WEBHOOK_SECRET: SECRET } });
});
after(() => worker?.stop());

/** POST /webhooks/test; answers the response's id and the request ids of the lines it logged. */
async function webhook(headers = {}) {
  const mark = worker.logs.length;
  const res = await worker.fetch("/webhooks/test", {
    method: "POST",
    headers: { "x-webhook-secret": SECRET, "content-type": "application/json", ...headers },
    body: JSON.stringify({ hello: "world" }),
  });
  assert.equal(res.status, 200, await res.text());
  const id = res.headers.get("x-request-id");
  let failure;
  for (let i = 0; i < 100 && !failure; i++) {
    failure = worker.logs.slice(mark).find((l) => l.message.includes("wait_until effect failed"));
    if (!failure) await new Promise((r) => setTimeout(r, 50));
  }
  assert.ok(failure, `no failure line in ${JSON.stringify(worker.logs.slice(mark))}`);
  const access = worker.logs.slice(mark).find((l) => /msg: 'request'|"msg":"request"/.test(l.message));
  assert.ok(access, "no access line");
  const idOf = (line) => /request_id:? '?"?([\w.-]+)/.exec(line.message)?.[1];
  return { id, failureId: idOf(failure), accessId: idOf(access) };
}

test("a background effect's failure line carries the request's id", async () => {
  const { id, failureId, accessId } = await webhook();
  assert.match(id, /^[\w.-]+$/);
  assert.equal(accessId, id);
  assert.equal(failureId, id);
});

test("a caller's own x-request-id is the id of every line", async () => {
  const { id, failureId, accessId } = await webhook({ "x-request-id": "caller-chosen-42" });
  assert.equal(id, "caller-chosen-42");
  assert.equal(accessId, "caller-chosen-42");
  assert.equal(failureId, "caller-chosen-42");
});
