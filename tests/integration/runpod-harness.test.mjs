// Self-test of the RunPod Serverless stand-in (harness/runpod.mjs), with plain fetch and no
// Worker: the /run, /status, /cancel flows, auth and routing errors, scripted outcomes and
// failures, webhooks with retries (against a loopback receiver), and the static file route.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { call } from "./harness/http.mjs";
import { startRunPod } from "./harness/runpod.mjs";
import { closedPort, startLoopbackServer } from "./harness/loopback-server.mjs";

const API_KEY = "rp-self-test-key";
const ENDPOINT = "ep-self-test";

let runpod;
let hooks; // webhook receiver
let hookAnswers = []; // statuses the receiver answers next, in order (then 200)

before(async () => {
  runpod = await startRunPod({ apiKey: API_KEY, endpointId: ENDPOINT, webhookRetryDelayMs: 50 });
  hooks = await startLoopbackServer({
    "POST /hook": () => ({ status: hookAnswers.shift() ?? 200, body: { ok: true } }),
  });
});

after(async () => {
  await runpod?.close();
  await hooks?.close();
});

// --- helpers -------------------------------------------------------------------------------

/** A request to the stand-in with `key` (null: none); a stand-in sends no x-request-id. */
const rp = (method, path, { body, key = API_KEY } = {}) => call(runpod.url, path, { method, token: key, body, requestId: false });

const submit = (body = { input: { prompt: "a cat" } }, opts) => rp("POST", `/${ENDPOINT}/run`, { body, ...opts });
const poll = (id, opts) => rp("GET", `/${ENDPOINT}/status/${id}`, opts);
const cancel = (id, opts) => rp("POST", `/${ENDPOINT}/cancel/${id}`, opts);
const hookUrl = (tag) => `${hooks.url}/hook?job=${tag}`;
const hookHits = (tag) => hooks.requests.filter((r) => r.query.job === tag);

// --- submit / status / cancel --------------------------------------------------------------

describe("submit and poll", () => {
  test("default job: IN_QUEUE → IN_PROGRESS → COMPLETED, one step per poll", async () => {
    const r = await submit({ input: { prompt: "a cat", seconds: 4 }, policy: { executionTimeout: 60000 } });
    assert.equal(r.status, 200);
    assert.equal(r.body.status, "IN_QUEUE");
    assert.match(r.body.id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-e1$/);
    assert.match(r.headers.get("content-type"), /application\/json/);
    const id = r.body.id;

    const job = runpod.jobs.get(id);
    assert.deepEqual(job.input, { prompt: "a cat", seconds: 4 });
    assert.deepEqual(job.policy, { executionTimeout: 60000 });
    assert.equal(runpod.lastJob().id, id);

    const s1 = await poll(id);
    assert.deepEqual(s1.body, { id, status: "IN_QUEUE" });
    const s2 = await poll(id);
    assert.equal(s2.body.status, "IN_PROGRESS");
    assert.equal(typeof s2.body.delayTime, "number");
    assert.equal(s2.body.executionTime, undefined);
    const s3 = await poll(id);
    assert.equal(s3.body.status, "COMPLETED");
    assert.deepEqual(s3.body.output, {});
    assert.equal(typeof s3.body.executionTime, "number");
    const s4 = await poll(id);
    assert.equal(s4.body.status, "COMPLETED", "the last step stays");

    assert.equal(job.statusCalls, 4);
    assert.deepEqual(job.history.map((h) => h.status), ["IN_QUEUE", "IN_PROGRESS", "COMPLETED"]);
    const runReq = runpod.requests.find((q) => q.path === `/${ENDPOINT}/run` && q.json().input?.seconds === 4);
    assert.equal(runReq.headers.authorization, `Bearer ${API_KEY}`);
  });

  test("scripted output, FAILED with error, TIMED_OUT, progress output", async () => {
    runpod.script({ steps: ["IN_QUEUE", { status: "COMPLETED", output: { video_url: "https://x/v.mp4" } }] });
    runpod.script({ steps: [{ status: "IN_PROGRESS", output: { progress: 0.5 } }, { status: "FAILED", error: "CUDA out of memory" }] });
    runpod.script({ steps: ["TIMED_OUT"] });
    const [a, b, c] = [await submit(), await submit(), await submit()].map((r) => r.body.id);

    await poll(a);
    assert.deepEqual((await poll(a)).body.output, { video_url: "https://x/v.mp4" });

    const b1 = await poll(b);
    assert.equal(b1.body.status, "IN_PROGRESS");
    assert.deepEqual(b1.body.output, { progress: 0.5 });
    const b2 = await poll(b);
    assert.equal(b2.body.status, "FAILED");
    assert.equal(b2.body.error, "CUDA out of memory");
    assert.equal(b2.body.output, undefined);

    const c1 = await poll(c);
    assert.equal(c1.body.status, "TIMED_OUT");
    assert.equal(typeof c1.body.executionTime, "number");

    const d = (await submit()).body.id; // scripts used up: default again
    assert.equal((await poll(d)).body.status, "IN_QUEUE");
  });

  test("stepMs advances by time, not by polls", async () => {
    // NOTE: a step of a second: two polls in a row fit in it even on a loaded machine (at 40 ms
    // they did not, once, under CI-like load).
    runpod.script({ steps: ["IN_QUEUE", "IN_PROGRESS", "COMPLETED"], stepMs: 1000 });
    const id = (await submit()).body.id;
    assert.equal((await poll(id)).body.status, "IN_QUEUE");
    assert.equal((await poll(id)).body.status, "IN_QUEUE", "polls do not advance");
    await new Promise((r) => setTimeout(r, 2100));
    assert.equal((await poll(id)).body.status, "COMPLETED");
  });

  test("script({job}) re-scripts an existing job; forget makes it 404", async () => {
    runpod.script({ steps: ["IN_QUEUE"] });
    const id = (await submit()).body.id;
    assert.equal((await poll(id)).body.status, "IN_QUEUE");
    assert.equal((await poll(id)).body.status, "IN_QUEUE", "a one-step script never ends");
    runpod.script({ steps: ["IN_PROGRESS", { status: "COMPLETED", output: { n: 1 } }] }, { job: id });
    assert.equal((await poll(id)).body.status, "IN_PROGRESS");
    assert.deepEqual((await poll(id)).body.output, { n: 1 });
    assert.throws(() => runpod.script({ steps: ["IN_QUEUE"] }, { job: id }), /already ended/);
    runpod.forget(id);
    const gone = await poll(id);
    assert.equal(gone.status, 404);
    assert.deepEqual(gone.body, { error: "request does not exist" });
  });

  test("health counts jobs", async () => {
    const r = await rp("GET", `/${ENDPOINT}/health`);
    assert.equal(r.status, 200);
    assert.equal(typeof r.body.jobs.completed, "number");
    assert.ok(r.body.jobs.completed >= 1);
  });
});

describe("cancel", () => {
  test("an open job becomes CANCELLED; an ended job answers its own status", async () => {
    runpod.script({ steps: ["IN_QUEUE"] });
    const id = (await submit()).body.id;
    const c = await cancel(id);
    assert.equal(c.status, 200);
    assert.deepEqual(c.body, { id, status: "CANCELLED" });
    assert.equal(runpod.jobs.get(id).status, "CANCELLED");
    assert.equal((await poll(id)).body.status, "CANCELLED");
    assert.deepEqual((await cancel(id)).body, (await poll(id)).body, "cancelled again: its own status");

    runpod.script({ steps: [{ status: "COMPLETED", output: { text: "done" } }] });
    const done = (await submit()).body.id;
    const answer = (await cancel(done)).body;
    assert.equal(answer.status, "COMPLETED");
    assert.deepEqual(answer.output, { text: "done" });
    assert.deepEqual(answer, (await poll(done)).body, "as /status answers it");

    assert.equal((await cancel("nope-e1")).status, 404);
  });

  test("a cancel fault answers an error and cancels nothing", async () => {
    runpod.script({ steps: ["IN_QUEUE"], cancel: { status: 500 } });
    const id = (await submit()).body.id;
    const c = await cancel(id);
    assert.equal(c.status, 500);
    assert.equal(runpod.jobs.get(id).status, "IN_QUEUE");
    assert.equal((await cancel(id)).body.status, "CANCELLED");
  });
});

// --- auth, routing, validation -------------------------------------------------------------

describe("errors", () => {
  test("wrong or missing key → 401; unknown endpoint → 404; unknown id → 404", async () => {
    for (const key of ["wrong-key", null]) {
      const r = await submit(undefined, { key });
      assert.equal(r.status, 401);
      assert.deepEqual(r.body, { error: "Unauthorized" });
      assert.equal((await poll("x-e1", { key })).status, 401);
    }
    const other = await rp("POST", "/other-endpoint/run", { body: { input: {} } });
    assert.equal(other.status, 404);
    assert.deepEqual(other.body, { error: "endpoint not found" });
    const unknown = await poll("00000000-0000-0000-0000-000000000000-e1");
    assert.equal(unknown.status, 404);
    assert.deepEqual(unknown.body, { error: "request does not exist" });
  });

  test("bad /run bodies → 400 and no job", async () => {
    const before = runpod.jobs.size;
    for (const body of [{}, { input: "text" }, { input: [1] }, { input: null }, [1]]) {
      const r = await submit(body);
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.equal(typeof r.body.error, "string");
    }
    assert.equal((await submit("{not json")).status, 400);
    assert.equal(runpod.jobs.size, before);
  });
});

describe("submit and status faults", () => {
  test("/run 500 and 429 create no job; then normal", async () => {
    runpod.script({ run: { status: 500 } });
    runpod.script({ run: { status: 429 } }, { times: 2 });
    const before = runpod.jobs.size;
    const r1 = await submit();
    assert.equal(r1.status, 500);
    assert.equal(typeof r1.body.error, "string");
    assert.equal((await submit()).status, 429);
    assert.equal((await submit()).status, 429);
    assert.equal(runpod.jobs.size, before);
    const ok = await submit();
    assert.equal(ok.status, 200);
    assert.equal(runpod.jobs.size, before + 1);
  });

  test("slow /run queues the job before answering; a malformed 200 body still queues it", async () => {
    runpod.script({ run: { delayMs: 300 } });
    const before = runpod.jobs.size;
    const t0 = Date.now();
    const pending = submit();
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(runpod.jobs.size, before + 1, "queued while the answer is delayed");
    const r = await pending;
    assert.ok(Date.now() - t0 >= 290);
    assert.equal(r.status, 200);
    assert.equal(r.body.id, runpod.lastJob().id);

    runpod.script({ run: { raw: '{"id": "abc' } });
    const bad = await submit();
    assert.equal(bad.status, 200);
    assert.equal(bad.body, null);
    assert.equal(bad.text, '{"id": "abc');
    assert.equal(runpod.jobs.size, before + 2);

    runpod.script({ run: { status: 502, createJob: true } }); // accepted, answer lost
    assert.equal((await submit()).status, 502);
    assert.equal(runpod.jobs.size, before + 3);
  });

  test("/status 500 for N calls, then normal; faulted calls don't advance", async () => {
    runpod.script({ steps: ["IN_QUEUE", "COMPLETED"], status: { status: 500, times: 2 } });
    const id = (await submit()).body.id;
    assert.equal((await poll(id)).status, 500);
    assert.equal((await poll(id)).status, 500);
    const s = await poll(id);
    assert.equal(s.status, 200);
    assert.equal(s.body.status, "IN_QUEUE");
    assert.equal((await poll(id)).body.status, "COMPLETED");
    assert.equal(runpod.jobs.get(id).statusCalls, 4);
  });

  test("/status with a custom body or raw text", async () => {
    runpod.script({ steps: ["IN_QUEUE"], status: { status: 200, raw: "<html>oops" } });
    const id = (await submit()).body.id;
    const s = await poll(id);
    assert.equal(s.status, 200);
    assert.equal(s.text, "<html>oops");
    runpod.script({ status: { status: 429, body: { error: "slow down" } } }, { job: id });
    assert.deepEqual((await poll(id)).body, { error: "slow down" });
    assert.equal((await poll(id)).body.status, "IN_QUEUE");
  });
});

// --- webhooks ------------------------------------------------------------------------------

describe("webhooks", () => {
  test("delivered with /status body + input, retried after a 500", async () => {
    hookAnswers = [500];
    runpod.script({ steps: ["IN_QUEUE", { status: "COMPLETED", output: { video_url: "u" } }] });
    const id = (await submit({ input: { prompt: "w1" }, webhook: hookUrl("w1") })).body.id;
    await poll(id); // → COMPLETED, webhook fires
    await runpod.webhooksSettled();

    const hits = hookHits("w1");
    assert.equal(hits.length, 2);
    assert.match(hits[0].headers["content-type"], /application\/json/);
    const body = hits[1].json();
    assert.equal(body.id, id);
    assert.equal(body.status, "COMPLETED");
    assert.deepEqual(body.output, { video_url: "u" });
    assert.deepEqual(body.input, { prompt: "w1" });
    assert.equal(typeof body.delayTime, "number");
    assert.equal(typeof body.executionTime, "number");
    assert.deepEqual(
      runpod.webhookDeliveries.filter((d) => d.jobId === id).map((d) => [d.attempt, d.status]),
      [[1, 500], [2, 200]],
    );
    assert.deepEqual(body, { ...(await poll(id)).body, input: { prompt: "w1" } }, "webhook body = /status body + input");
  });

  test("at most 2 retries, spaced by webhookRetryDelayMs", async () => {
    hookAnswers = [500, 503, 500, 500];
    runpod.script({ steps: ["IN_QUEUE"] });
    const id = (await submit({ input: { p: 2 }, webhook: hookUrl("w2") })).body.id;
    const attempts = await runpod.finish(id, { status: "FAILED", error: "boom" });
    assert.deepEqual(attempts.map((a) => a.status), [500, 503, 500]);
    assert.ok(attempts[2].at - attempts[0].at >= 90);
    assert.equal(hookHits("w2").length, 3);
    assert.equal(hookHits("w2")[0].json().error, "boom");
    hookAnswers = [];
    assert.throws(() => runpod.finish(id, "COMPLETED"), /already ended/);
  });

  test("unreachable webhook: 3 attempts with errors recorded", async () => {
    runpod.script({ steps: ["COMPLETED"] });
    const id = (await submit({ input: {}, webhook: `http://127.0.0.1:${await closedPort()}/nowhere` })).body.id;
    await runpod.webhooksSettled();
    const ds = runpod.webhookDeliveries.filter((d) => d.jobId === id);
    assert.equal(ds.length, 3);
    assert.ok(ds.every((d) => d.status === null && typeof d.error === "string"));
  });

  test("cancel fires the webhook; stepMs ends a job with no polls; drop and delayMs", async () => {
    runpod.script({ steps: ["IN_QUEUE"] });
    const c = (await submit({ input: {}, webhook: hookUrl("w3") })).body.id;
    await cancel(c);
    runpod.script({ steps: ["IN_QUEUE", "COMPLETED"], stepMs: 30 });
    const t = (await submit({ input: {}, webhook: hookUrl("w4") })).body.id;
    runpod.script({ steps: ["COMPLETED"], webhook: { drop: true } });
    await submit({ input: {}, webhook: hookUrl("w5") });
    runpod.script({ steps: ["IN_QUEUE"], webhook: { delayMs: 150 } });
    const d = (await submit({ input: {}, webhook: hookUrl("w6") })).body.id;
    const t0 = Date.now();
    const dDone = runpod.finish(d, "COMPLETED");

    await new Promise((r) => setTimeout(r, 100));
    await runpod.webhooksSettled();
    await dDone;
    assert.ok(Date.now() - t0 >= 140);
    assert.equal(hookHits("w3")[0].json().status, "CANCELLED");
    assert.equal(hookHits("w3")[0].json().id, c);
    assert.equal(hookHits("w4")[0].json().id, t);
    assert.equal(runpod.jobs.get(t).statusCalls, 0);
    assert.equal(hookHits("w5").length, 0);
    assert.equal(hookHits("w6").length, 1);
  });

  test("redeliver sends a duplicate", async () => {
    runpod.script({ steps: ["COMPLETED"] });
    const id = (await submit({ input: {}, webhook: hookUrl("w7") })).body.id;
    await runpod.webhooksSettled();
    await runpod.redeliver(id);
    const hits = hookHits("w7");
    assert.equal(hits.length, 2);
    assert.deepEqual(hits[0].json(), hits[1].json());
  });
});

// --- files ---------------------------------------------------------------------------------

describe("files", () => {
  test("serveFile: GET and HEAD without auth, content-type and length; 404 otherwise", async () => {
    const bytes = new Uint8Array([0, 1, 2, 250, 251, 252]);
    const url = runpod.serveFile("clip one.mp4", bytes, "video/mp4");
    assert.equal(url, `${runpod.url}/files/clip%20one.mp4`);
    const res = await fetch(url);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "video/mp4");
    assert.equal(res.headers.get("content-length"), "6");
    assert.deepEqual(new Uint8Array(await res.arrayBuffer()), bytes);
    const head = await fetch(url, { method: "HEAD" });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get("content-length"), "6");
    assert.equal((await fetch(`${runpod.url}/files/missing.bin`)).status, 404);

    runpod.serveFile("stream.bin", Buffer.alloc(1000, 7), undefined, { chunked: true });
    const s = await fetch(runpod.fileUrl("stream.bin"));
    assert.equal(s.headers.get("content-length"), null);
    assert.equal(s.headers.get("content-type"), "application/octet-stream");
    assert.equal((await s.arrayBuffer()).byteLength, 1000);
  });

  test("a completed job can point at a served file", async () => {
    const url = runpod.serveFile("out.png", Buffer.from("PNGDATA"), "image/png");
    runpod.script({ steps: [{ status: "COMPLETED", output: { images: [url] } }] });
    const id = (await submit()).body.id;
    const out = (await poll(id)).body.output;
    assert.equal(await (await fetch(out.images[0])).text(), "PNGDATA");
  });
});
