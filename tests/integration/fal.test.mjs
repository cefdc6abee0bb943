// Jobs on fal.ai models, through the real Worker against real PostgreSQL and the fal stand-in,
// whose webhooks node's Ed25519 signs as fal's are, its keys served as a JWKS: completion by
// webhook, by poll (COMPLETED, then the result read) and by the cron sweep; a forged, stale,
// unsigned or unknown-key webhook refused with nothing changed; a rotated key picked up; cancel;
// a failure refunded. After every test, balance = sum(ledger) (harness/ledger.mjs).

import { after, afterEach, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { startWorker } from "./harness/worker.mjs";
import { call, newUser } from "./harness/http.mjs";
import { PROMPT_AND_SEED } from "./harness/inputs.mjs";
import { startFalRig } from "./harness/provider-rig.mjs";
import { assertLedgerInvariant } from "./harness/ledger.mjs";

const MODEL = "flux-dev-fal";
const ENDPOINT_ID = "fal-ai/flux/dev";
const APP = "fal-ai/flux";
const COST = 2;

let rig;
let db;
let auth;
let fal;
let worker;
let balance;
let jobRow;
let lastEvent;

before(async () => {
  rig = await startFalRig({ prefix: "ag_fal" });
  ({ db, auth, fal, worker, balance, jobRow, lastEvent } = rig);
  await db.sql`insert into public.models (id, provider, content_type, pricing, is_default, enabled, provider_model)
               values (${MODEL}, 'fal', 'image', ${{ base: COST }}, false, true, ${ENDPOINT_ID})`;
  await db.sql`update public.models set input_schema = ${PROMPT_AND_SEED} where id = ${MODEL}`;
});

after(async () => {
  await rig?.close();
});

afterEach(async () => {
  await assertLedgerInvariant(db.sql);
});

// --- helpers ------------------------------------------------------------------------------

/** A new user's job on the fal model, queued at fal: {user, jobId, request}. */
async function submitted(input = undefined) {
  const user = await newUser(auth);
  const res = await call(worker, "/jobs", { method: "POST", token: user.token, body: { prompt: "a red fox", model: MODEL, input } });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.provider, "fal", res.text);
  assert.equal(res.body.status, "submitted", res.text);
  const request = fal.queue.get(res.body.provider_job_id);
  assert.ok(request, `no fal request ${res.body.provider_job_id}`);
  return { user, jobId: res.body.job_id, request };
}

const image = (name) => {
  const png = crypto.randomBytes(1536);
  return { png, payload: { images: [{ url: fal.serveFile(name, png, "image/png"), content_type: "image/png" }], seed: 42 } };
};

const reads = (id) => fal.requests.filter((r) => r.method === "GET" && r.path === `/${APP}/requests/${id}`);

// --- tests --------------------------------------------------------------------------------

describe("a job on a fal model", () => {
  test("is queued on the endpoint id, with the caller's input and a webhook to this job", async () => {
    const { user, jobId, request } = await submitted({ seed: 7 });
    assert.equal(request.model, ENDPOINT_ID);
    assert.deepEqual(request.input, { seed: 7, prompt: "a red fox" });
    const hook = new URL(request.webhook);
    assert.equal(hook.pathname, `/webhooks/fal/${jobId}`);
    assert.match(hook.searchParams.get("token"), /^[0-9a-f]{64}$/);
    const submit = fal.requests.find((r) => r.method === "POST" && r.path === `/${ENDPOINT_ID}`);
    assert.match(submit.headers.authorization, /^Key fal-/);
    assert.equal(await balance(user.id), 10 - COST);
    const row = await jobRow(jobId);
    assert.equal(row.provider, "fal");
    assert.equal(row.provider_job_id, request.id);
    assert.equal(row.provider_endpoint_id, APP, "later requests go to the app");
  });

  test("completes by its signed webhook: the payload's files are copied into R2 and stay paid", async () => {
    const { user, jobId, request } = await submitted();
    const { png, payload } = image(`${request.id}.png`);
    const answer = await fal.finish(request.id, { payload });
    assert.equal(answer.status, 200, JSON.stringify(answer));
    assert.deepEqual(answer.body, { ok: true, received: true, applied: true, status: "completed" });
    assert.equal(reads(request.id).length, 0, "the webhook carried the payload: no result read");

    const row = await jobRow(jobId);
    assert.equal(row.status, "completed");
    assert.equal(row.outputs.length, 1, JSON.stringify(row.outputs));
    assert.equal(row.outputs[0].size, png.length);
    assert.deepEqual(await lastEvent(jobId), { to_status: "completed", source: "webhook" });
    const view = await call(worker, `/jobs/${jobId}`, { token: user.token });
    assert.equal(view.body.provider, "fal", view.text);
    const link = new URL(view.body.outputs[0].url);
    const file = await worker.fetch(link.pathname + link.search);
    assert.deepEqual(Buffer.from(await file.arrayBuffer()), png);
    assert.equal(await balance(user.id), 10 - COST);

    const again = await fal.deliver(request.id);
    assert.deepEqual(again.body, { ok: true, received: true, applied: false, status: "completed" }, "a repeat changes nothing");
  });

  test("a webhook whose payload fal could not include has the result read", async () => {
    const { jobId, request } = await submitted();
    const { payload } = image(`${request.id}-late.png`);
    await fal.finish(request.id, { payload }, { deliver: false });
    const body = JSON.stringify({ request_id: request.id, status: "OK", payload: null, payload_error: "too large" });
    const answer = await fal.deliver(request.id, { body });
    assert.equal(answer.status, 200, JSON.stringify(answer));
    assert.equal(reads(request.id).length, 1);
    assert.equal((await jobRow(jobId)).outputs.length, 1);
  });

  test("a failed request is refunded once", async () => {
    const { user, jobId, request } = await submitted();
    const answer = await fal.finish(request.id, { error: "Invalid status code: 422", detail: "NSFW content detected" });
    assert.equal(answer.body.status, "failed", JSON.stringify(answer));
    assert.equal((await jobRow(jobId)).result.error, "Invalid status code: 422");
    await fal.deliver(request.id);
    assert.equal(await balance(user.id), 10);
  });

  test("a forged, unsigned, stale or unknown-key webhook changes nothing", async () => {
    const { jobId, request } = await submitted();
    const other = await submitted();
    await fal.finish(request.id, { payload: { images: [] } }, { deliver: false });

    const forgedBody = JSON.stringify({ request_id: request.id, status: "ERROR", error: "x", payload: null });
    const signedOtherBody = await fal.deliver(request.id, { body: forgedBody, key: fal.unpublishedKey() });
    assert.equal(signedOtherBody.status, 401, JSON.stringify(signedOtherBody));
    const fetchesBefore = fal.jwksFetches();
    const unknownKey = await fal.deliver(request.id, { key: fal.unpublishedKey() });
    assert.equal(unknownKey.status, 401, JSON.stringify(unknownKey));
    assert.ok(fal.jwksFetches() - fetchesBefore <= 1, "forgeries do not turn into key fetches");
    const stale = await fal.deliver(request.id, { timestamp: new Date(Date.now() - 10 * 60_000) });
    assert.equal(stale.status, 401, JSON.stringify(stale));
    const future = await fal.deliver(request.id, { timestamp: new Date(Date.now() + 10 * 60_000) });
    assert.equal(future.status, 401, JSON.stringify(future));
    const unsigned = await call(worker, new URL(request.webhook).pathname + new URL(request.webhook).search, {
      method: "POST",
      body: { request_id: request.id, status: "OK", payload: {} },
    });
    assert.equal(unsigned.status, 401, unsigned.text);
    // signed by fal, but this job's token on another job's URL
    const webhook = request.webhook;
    request.webhook = webhook.replace(jobId, other.jobId);
    const wrongJob = await fal.deliver(request.id);
    assert.equal(wrongJob.status, 401, JSON.stringify(wrongJob));
    request.webhook = webhook;
    for (const id of [jobId, other.jobId]) assert.equal((await jobRow(id)).status, "submitted");

    const genuine = await fal.deliver(request.id);
    assert.equal(genuine.status, 200, JSON.stringify(genuine));
    assert.equal((await jobRow(jobId)).status, "completed");
    assert.equal((await jobRow(other.jobId)).status, "submitted");
  });

  test("completes by poll when its webhook never comes: COMPLETED, then the result is read", async () => {
    const { user, jobId, request } = await submitted();
    fal.start(request.id);
    const running = await call(worker, `/jobs/${jobId}`, { token: user.token });
    assert.equal(running.body.status, "running", running.text);
    const { payload } = image(`${request.id}-polled.png`);
    await fal.finish(request.id, { payload }, { deliver: false });
    const view = await call(worker, `/jobs/${jobId}`, { token: user.token });
    assert.equal(view.body.status, "completed", view.text);
    assert.equal(view.body.outputs.length, 1, view.text);
    assert.equal(reads(request.id).length, 1);
    assert.deepEqual(await lastEvent(jobId), { to_status: "completed", source: "poll" });
    assert.equal(await balance(user.id), 10 - COST);
  });

  test("fails by the cron sweep when neither webhook nor poll came, and is refunded", async () => {
    const { user, jobId, request } = await submitted();
    await fal.finish(request.id, { error: "Request timed out", httpStatus: 504, errorType: "request_timeout" }, { deliver: false });
    await db.sql`update public.jobs set updated_at = now() - interval '1 hour' where id = ${jobId}::uuid`;
    const run = await worker.scheduled("*/5 * * * *");
    assert.equal(run.outcome, "ok", JSON.stringify(run));
    const row = await jobRow(jobId);
    assert.equal(row.status, "failed");
    assert.equal(row.result.error, "request_timeout");
    assert.deepEqual(await lastEvent(jobId), { to_status: "failed", source: "sweep" });
    assert.equal(await balance(user.id), 10);
  });

  test("while fal cannot give its result, a poll changes nothing", async () => {
    const { user, jobId, request } = await submitted();
    await fal.finish(request.id, { error: "gateway", httpStatus: 502 }, { deliver: false });
    const view = await call(worker, `/jobs/${jobId}`, { token: user.token });
    assert.equal(view.status, 200, view.text);
    assert.equal(view.body.status, "submitted", view.text);
    assert.equal(await balance(user.id), 10 - COST);
  });

  test("is cancelled at fal by POST /jobs/:id/cancel, and refunded", async () => {
    const { user, jobId, request } = await submitted();
    const res = await call(worker, `/jobs/${jobId}/cancel`, { method: "POST", token: user.token });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.status, "cancelled", res.text);
    assert.ok(fal.requests.some((r) => r.method === "PUT" && r.path === `/${APP}/requests/${request.id}/cancel`));
    assert.equal(await balance(user.id), 10);
  });

  test("a cancel that loses the race records the completion: outputs kept, no refund", async () => {
    const { user, jobId, request } = await submitted();
    const { payload } = image(`${request.id}-raced.png`);
    await fal.finish(request.id, { payload }, { deliver: false });
    const res = await call(worker, `/jobs/${jobId}/cancel`, { method: "POST", token: user.token });
    assert.equal(res.status, 409, res.text);
    const row = await jobRow(jobId);
    assert.equal(row.status, "completed");
    assert.equal(row.outputs.length, 1);
    assert.equal(await balance(user.id), 10 - COST);
  });

  test("refused by fal (503): 502 provider_error, nothing kept", async () => {
    const user = await newUser(auth);
    fal.failNext({ status: 503 });
    const res = await call(worker, "/jobs", { method: "POST", token: user.token, body: { prompt: "a fox", model: MODEL } });
    assert.equal(res.status, 502, res.text);
    assert.equal(res.body.error, "provider_error", res.text);
    assert.equal((await jobRow(res.body.job_id)).status, "error");
    assert.equal(await balance(user.id), 10);
  });
});

describe("fal's signing keys", () => {
  test("a key fal rotates in is fetched when a webhook needs it", async () => {
    // A Worker of its own: its isolate's key cache has not refetched yet.
    const fresh = await startWorker({ db: db.url, vars: rig.vars });
    try {
      const user = await newUser(auth);
      const finished = async () => {
        const res = await call(fresh, "/jobs", { method: "POST", token: user.token, body: { prompt: "a fox", model: MODEL } });
        assert.equal(res.status, 200, res.text);
        await fal.finish(res.body.provider_job_id, { payload: { images: [] } }, { deliver: false });
        return { jobId: res.body.job_id, requestId: res.body.provider_job_id };
      };
      const earlier = await finished();
      const loaded = await fal.deliver(earlier.requestId);
      assert.equal(loaded.status, 200, "the isolate now holds fal's keys");
      const fetches = fal.jwksFetches();
      fal.rotate();
      const later = await finished();
      const rotated = await fal.deliver(later.requestId);
      assert.equal(rotated.status, 200, JSON.stringify(rotated));
      assert.equal(fal.jwksFetches(), fetches + 1, "one refetch");
      assert.equal((await jobRow(later.jobId)).status, "completed");
    } finally {
      await fresh.stop();
    }
  });
});

test("a fal model without fal configured is 400 model_unavailable, nothing charged; its webhooks are refused", async () => {
  const { jobId } = await submitted();
  await rig.assertUnavailableWithoutProvider({
    model: MODEL,
    webhook: `/webhooks/fal/${jobId}`,
    body: { request_id: "r", status: "OK", payload: {} },
  });
});
