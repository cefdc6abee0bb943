// Jobs on Replicate models, through the real Worker against real PostgreSQL and the Replicate
// stand-in, whose webhooks the `standardwebhooks` package signs as Replicate's do: completion
// by webhook, by poll and by the cron sweep; forged, stale and misdirected webhooks refused
// with nothing changed; cancel; a refused submission; a model whose provider is not
// configured. After every test, balance = sum(ledger) (harness/ledger.mjs).

import { after, afterEach, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { call, newUser } from "./harness/http.mjs";
import { PROMPT_AND_SEED } from "./harness/inputs.mjs";
import { startReplicateRig } from "./harness/provider-rig.mjs";
import { assertLedgerInvariant } from "./harness/ledger.mjs";

const MODEL = "flux-fast";
const PROVIDER_MODEL = "black-forest-labs/flux-schnell";
const PINNED = "sdxl-pinned";
const RETRIED = "flux-retried"; // max_attempts 2
const COST = 3;

let rig;
let db;
let auth;
let replicate;
let worker;
let balance;
let jobRow;
let lastEvent;

before(async () => {
  rig = await startReplicateRig({ prefix: "ag_repl" });
  ({ db, auth, replicate, worker, balance, jobRow, lastEvent } = rig);
  await db.sql`insert into public.models (id, provider, content_type, pricing, is_default, enabled, provider_model)
               values (${MODEL}, 'replicate', 'image', ${{ base: COST }}, false, true, ${PROVIDER_MODEL}),
                      (${PINNED}, 'replicate', 'image', ${{ base: COST }}, false, true, 'stability-ai/sdxl:39ed52f2a78e')`;
  await db.sql`insert into public.models (id, provider, content_type, pricing, is_default, enabled, provider_model,
                                          max_attempts)
               values (${RETRIED}, 'replicate', 'image', ${{ base: COST }}, false, true, ${PROVIDER_MODEL}, 2)`;
  await db.sql`update public.models set input_schema = ${PROMPT_AND_SEED} where provider = 'replicate'`;
});

after(async () => {
  await rig?.close();
});

afterEach(async () => {
  await assertLedgerInvariant(db.sql);
});

// --- helpers ------------------------------------------------------------------------------

/** A new user's job on `model`, accepted by Replicate: {user, jobId, prediction}. */
async function submitted(model = MODEL, input = undefined) {
  const user = await newUser(auth);
  const res = await call(worker, "/jobs", { method: "POST", token: user.token, body: { prompt: "a red fox", model, input } });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.provider, "replicate", res.text);
  assert.equal(res.body.status, "submitted", res.text);
  const prediction = replicate.predictions.get(res.body.provider_job_id);
  assert.ok(prediction, `no prediction ${res.body.provider_job_id}`);
  return { user, jobId: res.body.job_id, prediction };
}

/** The prediction the Queue consumer made for a retried job, once it exists. */
async function nextPrediction(jobId, previousId) {
  for (let i = 0; i < 200; i++) {
    const row = await jobRow(jobId);
    if (row.status === "submitted" && row.provider_job_id && row.provider_job_id !== previousId) {
      return replicate.predictions.get(row.provider_job_id);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`job ${jobId} was not submitted again`);
}

// --- tests --------------------------------------------------------------------------------

describe("a job on a Replicate model", () => {
  test("is a prediction on the model, with the caller's input and a completion webhook to this job", async () => {
    const { user, jobId, prediction } = await submitted(MODEL, { seed: 7 });
    assert.equal(prediction.model, PROVIDER_MODEL);
    assert.deepEqual(prediction.input, { seed: 7, prompt: "a red fox" });
    assert.deepEqual(prediction.webhookFilter, ["completed"]);
    const hook = new URL(prediction.webhook);
    assert.equal(hook.pathname, `/webhooks/replicate/${jobId}`);
    assert.match(hook.searchParams.get("token"), /^[0-9a-f]{64}$/);
    assert.equal(await balance(user.id), 10 - COST);
    const row = await jobRow(jobId);
    assert.equal(row.provider, "replicate");
    assert.equal(row.provider_job_id, prediction.id);

    const pinned = await submitted(PINNED);
    assert.equal(pinned.prediction.version, "39ed52f2a78e");
    const create = replicate.requests.filter((r) => r.method === "POST" && r.path === "/v1/predictions").at(-1);
    assert.equal(create.json().version, "39ed52f2a78e");
  });

  test("completes by its signed webhook: the output is copied into R2 and stays paid", async () => {
    const { user, jobId, prediction } = await submitted();
    const png = crypto.randomBytes(2048);
    const url = replicate.serveFile(`${prediction.id}.png`, png, "image/png");
    const answer = await replicate.finish(prediction.id, { status: "succeeded", output: [url] });
    assert.equal(answer.status, 200, JSON.stringify(answer));
    assert.deepEqual(answer.body, { ok: true, received: true, applied: true, status: "completed" });

    const row = await jobRow(jobId);
    assert.equal(row.status, "completed");
    assert.equal(row.outputs.length, 1, JSON.stringify(row.outputs));
    assert.equal(row.outputs[0].size, png.length);
    assert.deepEqual(await lastEvent(jobId), { to_status: "completed", source: "webhook" });
    const view = await call(worker, `/jobs/${jobId}`, { token: user.token });
    assert.equal(view.body.status, "completed", view.text);
    assert.equal(view.body.content_type, "image", "what the model makes");
    assert.equal(view.body.provider, "replicate");
    assert.equal(view.body.outputs[0].content_type, "image/png", "and what each output is");
    const listed = await call(worker, "/jobs", { token: user.token });
    assert.equal(listed.body.jobs[0].content_type, "image", listed.text);
    const link = new URL(view.body.outputs[0].url);
    const file = await worker.fetch(link.pathname + link.search);
    assert.equal(file.status, 200);
    assert.deepEqual(Buffer.from(await file.arrayBuffer()), png);
    assert.equal(await balance(user.id), 10 - COST);

    const again = await replicate.deliver(prediction.id);
    assert.deepEqual(again.body, { ok: true, received: true, applied: false, status: "completed" }, "a repeat changes nothing");
  });

  test("a failed prediction is refunded once", async () => {
    const { user, jobId, prediction } = await submitted();
    const answer = await replicate.finish(prediction.id, { status: "failed", error: "NSFW content detected" });
    assert.equal(answer.body.status, "failed", JSON.stringify(answer));
    assert.equal((await jobRow(jobId)).result.error, "NSFW content detected");
    await replicate.deliver(prediction.id);
    assert.equal(await balance(user.id), 10);
  });

  test("on a model with max_attempts 2, a failed prediction runs again on the Queue; a success is paid once", async () => {
    const { user, jobId, prediction } = await submitted(RETRIED);
    const first = await replicate.finish(prediction.id, { status: "failed", error: "CUDA out of memory" });
    assert.deepEqual(first.body, { ok: true, received: true, applied: true, status: "queued" }, JSON.stringify(first));
    const second = await nextPrediction(jobId, prediction.id);
    assert.deepEqual(second.input, prediction.input, "the same input");
    // the first attempt's callback no longer reaches the job: its token was replaced
    const stale = await replicate.deliver(prediction.id);
    assert.equal(stale.status, 401, JSON.stringify(stale));
    const png = crypto.randomBytes(256);
    await replicate.finish(second.id, { status: "succeeded", output: [replicate.serveFile(`${second.id}.png`, png, "image/png")] }, { deliver: false });
    const view = await call(worker, `/jobs/${jobId}`, { token: user.token }); // completes by poll (no PUBLIC_BASE_URL: no webhook)
    assert.equal(view.body.status, "completed", view.text);
    assert.equal(await balance(user.id), 10 - COST);
    const row = await jobRow(jobId);
    assert.equal(row.attempts, 2);
    assert.equal(row.provider_job_id, second.id);
    const path = await db.sql`select from_status, to_status, detail->>'reason' as reason from public.job_events
                              where job_id = ${jobId}::uuid order by id`;
    assert.deepEqual(path.map((e) => `${e.from_status ?? "-"}>${e.to_status}${e.reason ? `:${e.reason}` : ""}`),
      ["->queued", "queued>submitted", "submitted>queued:retry", "queued>submitted", "submitted>completed"]);
  });

  test("when every attempt fails the job fails once, refunded once, whoever reports it", async () => {
    const { user, jobId, prediction } = await submitted(RETRIED);
    await replicate.finish(prediction.id, { status: "failed", error: "boom" });
    const second = await nextPrediction(jobId, prediction.id);
    await replicate.finish(second.id, { status: "failed", error: "boom again" }, { deliver: false });
    // a poll and the sweep see the last failure at once
    await db.sql`update public.jobs set updated_at = now() - interval '1 hour' where id = ${jobId}::uuid`;
    const [view] = await Promise.all([call(worker, `/jobs/${jobId}`, { token: user.token }), worker.scheduled()]);
    assert.equal(view.status, 200, view.text);
    assert.equal((await jobRow(jobId)).status, "failed");
    assert.equal(await balance(user.id), 10);
    const refunds = await db.sql`select count(*)::int as n from public.credit_ledger where job_id = ${jobId}::uuid and delta > 0`;
    assert.equal(refunds[0].n, 1);
  });

  test("a webhook signed with another secret, signed too long ago, or sent to another job changes nothing", async () => {
    const { jobId, prediction } = await submitted();
    const other = await submitted();
    await replicate.finish(prediction.id, { status: "succeeded", output: ["https://replicate.delivery/x.png"] }, { deliver: false });

    const forged = await replicate.deliver(prediction.id, { secret: `whsec_${crypto.randomBytes(24).toString("base64")}` });
    assert.equal(forged.status, 401, JSON.stringify(forged));
    const stale = await replicate.deliver(prediction.id, { timestamp: new Date(Date.now() - 10 * 60_000) });
    assert.equal(stale.status, 401, JSON.stringify(stale));
    const future = await replicate.deliver(prediction.id, { timestamp: new Date(Date.now() + 10 * 60_000) });
    assert.equal(future.status, 401, JSON.stringify(future));
    // signed by Replicate, but this job's token on another job's URL
    const misdirected = { ...prediction, webhook: prediction.webhook.replace(jobId, other.jobId) };
    replicate.predictions.set(prediction.id, misdirected);
    const wrongJob = await replicate.deliver(prediction.id);
    assert.equal(wrongJob.status, 401, JSON.stringify(wrongJob));
    replicate.predictions.set(prediction.id, prediction);
    for (const id of [jobId, other.jobId]) assert.equal((await jobRow(id)).status, "submitted");

    const genuine = await replicate.deliver(prediction.id);
    assert.equal(genuine.status, 200, JSON.stringify(genuine));
    assert.equal((await jobRow(jobId)).status, "completed");
    assert.equal((await jobRow(other.jobId)).status, "submitted");
  });

  test("completes by poll when its webhook never comes (GET /jobs/:id)", async () => {
    const { user, jobId, prediction } = await submitted();
    await replicate.finish(prediction.id, { status: "succeeded", output: "plain text, not a file" }, { deliver: false });
    const view = await call(worker, `/jobs/${jobId}`, { token: user.token });
    assert.equal(view.body.status, "completed", view.text);
    assert.deepEqual(await lastEvent(jobId), { to_status: "completed", source: "poll" });
    assert.equal(await balance(user.id), 10 - COST);
  });

  test("fails by the cron sweep when neither webhook nor poll came", async () => {
    const { user, jobId, prediction } = await submitted();
    await replicate.finish(prediction.id, { status: "canceled" }, { deliver: false });
    await db.sql`update public.jobs set updated_at = now() - interval '1 hour' where id = ${jobId}::uuid`;
    const run = await worker.scheduled("*/5 * * * *");
    assert.equal(run.outcome, "ok", JSON.stringify(run));
    assert.equal((await jobRow(jobId)).status, "cancelled");
    assert.deepEqual(await lastEvent(jobId), { to_status: "cancelled", source: "sweep" });
    assert.equal(await balance(user.id), 10);
  });

  test("is cancelled at Replicate by POST /jobs/:id/cancel, and refunded", async () => {
    const { user, jobId, prediction } = await submitted();
    const res = await call(worker, `/jobs/${jobId}/cancel`, { method: "POST", token: user.token });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.status, "cancelled", res.text);
    assert.equal(prediction.status, "canceled");
    assert.ok(replicate.requests.some((r) => r.method === "POST" && r.path === `/v1/predictions/${prediction.id}/cancel`));
    assert.equal(await balance(user.id), 10);
  });

  test("refused by Replicate (429): 502 provider_error, nothing kept", async () => {
    const user = await newUser(auth);
    replicate.failNext({ status: 429 });
    const res = await call(worker, "/jobs", { method: "POST", token: user.token, body: { prompt: "a fox", model: MODEL } });
    assert.equal(res.status, 502, res.text);
    assert.equal(res.body.error, "provider_error", res.text);
    assert.equal((await jobRow(res.body.job_id)).status, "error");
    assert.equal(await balance(user.id), 10);
  });
});

test("a Replicate model without Replicate configured is 400 model_unavailable, nothing charged; its webhooks are refused", async () => {
  const { jobId } = await submitted();
  await rig.assertUnavailableWithoutProvider({
    model: MODEL,
    webhook: `/webhooks/replicate/${jobId}`,
    body: { id: "p", status: "succeeded" },
  });
});
