// POST /jobs/:id/cancel: RunPod's /cancel, one refund, 409 for a job already finished or still
// being submitted, and the races with RunPod's own answer (its CANCELLED webhook first, a
// COMPLETED or FAILED answer, a 2xx that confirms nothing), through `racing`'s relay.
// Uses the rig of harness/jobs.mjs (real PostgreSQL, the RunPod and Supabase Auth stand-ins, the
// Worker in workerd); after each test, balance = sum(ledger) for every user.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { call, newUser } from "./harness/http.mjs";
import {
  useJobsRig, ADMIN, RP_KEY, RP_ENDPOINT, db, auth, runpod, rpProxy, main, racing, postJob, getJob, jobRow,
  jobEvents, balance, userJobs, refundsOf, statusCalls, cancelRequests, hookAnswers, submittedJob, waitFor,
} from "./harness/jobs.mjs";
import { LEDGER_SQL } from "./harness/ledger.mjs";

useJobsRig({ workers: ["racing"] });

const cancelJob = (worker, token, id) => call(worker, `/jobs/${id}/cancel`, { method: "POST", token });

describe("POST /jobs/:id/cancel", () => {
  test("the owner cancels a running job: RunPod /cancel, cancelled, one refund; again 409; others 404, anonymous 401", async () => {
    // RunPod keeps the job IN_PROGRESS; its CANCELLED webhook comes late (after the Worker's answer)
    const { user, jobId, providerJobId } = await submittedJob({ steps: ["IN_PROGRESS"], webhook: { delayMs: 300 } });
    assert.equal((await getJob(main, user.token, jobId)).body.status, "running");
    assert.equal(await balance(user.id), 9);

    // who may not: nothing changes, RunPod is not asked
    const stranger = await newUser(auth);
    const theirs = await cancelJob(main, stranger.token, jobId);
    assert.equal(theirs.status, 404, theirs.text);
    assert.equal(theirs.body.error, "not_found", theirs.text);
    const anonymous = await cancelJob(main, undefined, jobId);
    assert.equal(anonymous.status, 401, anonymous.text);
    assert.equal(anonymous.body.error, "unauthorized", anonymous.text);
    for (const bad of [crypto.randomUUID(), "not-a-uuid"]) {
      const res = await cancelJob(main, user.token, bad);
      assert.equal(res.status, 404, `${bad}: ${res.text}`);
      assert.equal(res.body?.error, "not_found", `${bad}: ${res.text}`);
    }
    assert.equal(cancelRequests(providerJobId).length, 0, "RunPod was asked to cancel for a refused caller");
    assert.equal((await jobRow(jobId)).status, "running");

    const res = await cancelJob(main, user.token, jobId);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body, { ok: true, job_id: jobId, status: "cancelled", refunded: 1 });
    const sent = cancelRequests(providerJobId);
    assert.equal(sent.length, 1, "one RunPod /cancel");
    assert.equal(sent[0].headers.authorization, `Bearer ${RP_KEY}`);
    assert.equal(runpod.jobs.get(providerJobId).status, "CANCELLED");

    const row = await jobRow(jobId);
    assert.equal(row.status, "cancelled");
    assert.ok(row.finished_at, "finished_at set");
    assert.deepEqual(await jobEvents(jobId), [
      { from: null, to: "queued", source: null },
      { from: "queued", to: "submitted", source: "submit" },
      { from: "submitted", to: "running", source: "poll" },
      { from: "running", to: "cancelled", source: "cancel" },
    ]);
    assert.deepEqual(await refundsOf(user.id, jobId), [
      { kind: "refund", delta: 1, idempotency_key: `refund:${jobId}`, job_id: jobId },
    ]);
    assert.equal(await balance(user.id), 10);

    // RunPod's CANCELLED webhook arrives afterwards: 200, applied false, nothing moves
    await runpod.webhooksSettled();
    assert.deepEqual(hookAnswers(jobId), [{ http: 200, ok: true, received: true, applied: false, status: "cancelled" }]);
    const events = await jobEvents(jobId);
    assert.equal(events.length, 4);

    // cancelling again: 409 conflict, RunPod not asked again, no second refund
    const again = await cancelJob(main, user.token, jobId);
    assert.equal(again.status, 409, again.text);
    assert.equal(again.body.ok, false);
    assert.equal(again.body.error, "conflict", again.text);
    assert.equal(cancelRequests(providerJobId).length, 1);
    assert.deepEqual(await jobEvents(jobId), events);
    assert.equal((await refundsOf(user.id, jobId)).length, 1);
    assert.equal(await balance(user.id), 10);

    // the job reads as cancelled, from the database
    const calls = statusCalls(providerJobId);
    const view = await getJob(main, user.token, jobId);
    assert.equal(view.status, 200, view.text);
    assert.equal(view.body.status, "cancelled", view.text);
    assert.equal(statusCalls(providerJobId), calls);
  });

  test("RunPod's /cancel answers 500: 502 provider_error, the job stays open and unrefunded; the admin's retry cancels it", async () => {
    const { user, jobId, providerJobId } = await submittedJob({
      steps: ["IN_QUEUE"],
      cancel: { status: 500 },
      webhook: { delayMs: 300 },
    });
    const rowBefore = await jobRow(jobId);
    const eventsBefore = await jobEvents(jobId);

    const res = await cancelJob(main, user.token, jobId);
    assert.equal(res.status, 502, res.text);
    assert.equal(res.body.ok, false);
    assert.equal(res.body.error, "provider_error", res.text);
    assert.equal(cancelRequests(providerJobId).length, 1);
    assert.equal(runpod.jobs.get(providerJobId).status, "IN_QUEUE", "RunPod cancelled nothing");

    const row = await jobRow(jobId);
    assert.equal(row.status, "submitted");
    assert.equal(row.finished_at, null);
    assert.deepEqual(row.updated_at, rowBefore.updated_at, "the row was not written");
    assert.deepEqual(await jobEvents(jobId), eventsBefore);
    assert.deepEqual(await refundsOf(user.id, jobId), []);
    assert.equal(await balance(user.id), 9);

    // RunPod answers again: the admin's cancel (of a user's job) goes through, the user is refunded
    const retry = await cancelJob(main, ADMIN, jobId);
    assert.equal(retry.status, 200, retry.text);
    assert.deepEqual(retry.body, { ok: true, job_id: jobId, status: "cancelled", refunded: 1 });
    assert.equal(cancelRequests(providerJobId).length, 2);
    assert.equal((await jobRow(jobId)).status, "cancelled");
    assert.deepEqual((await jobEvents(jobId)).at(-1), { from: "submitted", to: "cancelled", source: "cancel" });
    assert.equal((await refundsOf(user.id, jobId)).length, 1);
    assert.equal(await balance(user.id), 10);
  });

  test("a finished job (completed, failed): 409 conflict, RunPod not asked, no refund", async () => {
    const user = await newUser(auth);
    const done = await submittedJob({ steps: ["IN_QUEUE"] }, user);
    await runpod.finish(done.providerJobId, { status: "COMPLETED", output: { video_url: "https://cdn.example.com/c.mp4" } });
    const failed = await submittedJob({ steps: ["IN_QUEUE"] }, user);
    await runpod.finish(failed.providerJobId, { status: "FAILED", error: "boom" });
    assert.equal((await jobRow(done.jobId)).status, "completed");
    assert.equal((await jobRow(failed.jobId)).status, "failed");
    assert.equal(await balance(user.id), 9, "the failed job refunded once");

    for (const [job, status] of [
      [done, "completed"],
      [failed, "failed"],
    ]) {
      const events = await jobEvents(job.jobId);
      const res = await cancelJob(main, user.token, job.jobId);
      assert.equal(res.status, 409, `${status}: ${res.text}`);
      assert.equal(res.body.ok, false);
      assert.equal(res.body.error, "conflict", res.text);
      assert.equal(cancelRequests(job.providerJobId).length, 0, `${status}: RunPod asked to cancel a finished job`);
      assert.equal((await jobRow(job.jobId)).status, status);
      assert.deepEqual(await jobEvents(job.jobId), events);
    }
    assert.deepEqual(await refundsOf(user.id, done.jobId), []);
    assert.equal((await refundsOf(user.id, failed.jobId)).length, 1);
    assert.equal(await balance(user.id), 9);
  });

  test("RunPod's CANCELLED webhook lands before the Worker hears RunPod's answer: still 200 cancelled, one refund", async () => {
    // `racing` reaches RunPod through a proxy that holds the /cancel answer until the webhook
    // RunPod fires for the cancellation has been answered by the Worker (relay → main).
    const { user, jobId, providerJobId } = await submittedJob({ steps: ["IN_PROGRESS"] });
    const cancelPath = `/${RP_ENDPOINT}/cancel/${encodeURIComponent(providerJobId)}`;
    rpProxy.hold = async (exchange) => {
      if (exchange.path === cancelPath) await runpod.jobs.get(providerJobId).delivery;
    };
    const res = await cancelJob(racing, user.token, jobId);
    await runpod.webhooksSettled();

    // the webhook won: the job is cancelled and refunded by it
    assert.deepEqual(hookAnswers(jobId), [{ http: 200, ok: true, received: true, applied: true, status: "cancelled" }]);
    assert.equal(cancelRequests(providerJobId).length, 1);
    const row = await jobRow(jobId);
    assert.equal(row.status, "cancelled");
    assert.deepEqual((await jobEvents(jobId)).at(-1), { from: "submitted", to: "cancelled", source: "webhook" });
    assert.equal((await refundsOf(user.id, jobId)).length, 1);
    assert.equal(await balance(user.id), 10);

    // what the user asked for happened: the answer must say so, not 409 "already finished"
    assert.equal(res.status, 200, `POST /jobs/${jobId}/cancel → ${res.status} ${res.text}`);
    assert.equal(res.body.ok, true, res.text);
    assert.equal(res.body.job_id, jobId, res.text);
    assert.equal(res.body.status, "cancelled", res.text);
  });

  test("RunPod answers the cancel with the job's COMPLETED status (callback missed): completed with its outputs, no refund, 409", async () => {
    const user = await newUser(auth);
    const file = crypto.randomBytes(4096);
    const url = runpod.serveFile(`done-${crypto.randomUUID()}.mp4`, file, "video/mp4");
    const { jobId, providerJobId } = await submittedJob({ steps: ["IN_PROGRESS"], webhook: { drop: true } }, user);
    await runpod.finish(providerJobId, { status: "COMPLETED", output: { video_url: url } });
    assert.equal((await jobRow(jobId)).status, "submitted", "the callback was dropped: we have not heard");

    const res = await cancelJob(main, user.token, jobId);
    assert.equal(res.status, 409, res.text);
    assert.equal(res.body.error, "conflict", res.text);
    assert.match(res.body.message, /completed/, res.text);
    assert.equal(cancelRequests(providerJobId).length, 1);

    const row = await jobRow(jobId);
    assert.equal(row.status, "completed");
    assert.equal(row.outputs?.length, 1, JSON.stringify(row.outputs));
    assert.equal(row.outputs[0].size, file.length);
    assert.deepEqual((await jobEvents(jobId)).at(-1), { from: "submitted", to: "completed", source: "cancel" });
    assert.deepEqual(await refundsOf(user.id, jobId), []);
    assert.equal(await balance(user.id), 9, "delivered work stays paid");
    const view = await getJob(main, user.token, jobId);
    assert.equal(view.body.status, "completed", view.text);
    assert.equal(view.body.outputs.length, 1, view.text);
  });

  test("RunPod answers the cancel with the job's FAILED status: failed, one refund, 409", async () => {
    const { user, jobId, providerJobId } = await submittedJob({ steps: ["IN_PROGRESS"], webhook: { drop: true } });
    await runpod.finish(providerJobId, { status: "FAILED", error: "CUDA out of memory" });

    const res = await cancelJob(main, user.token, jobId);
    assert.equal(res.status, 409, res.text);
    assert.match(res.body.message, /failed/, res.text);
    assert.equal((await jobRow(jobId)).status, "failed");
    assert.deepEqual((await jobEvents(jobId)).at(-1), { from: "submitted", to: "failed", source: "cancel" });
    assert.equal((await refundsOf(user.id, jobId)).length, 1);
    assert.equal(await balance(user.id), 10);
  });

  test("RunPod's /cancel answers 2xx without a job state: 502, the job stays open and unrefunded", async () => {
    const { user, jobId, providerJobId } = await submittedJob({
      steps: ["IN_QUEUE"],
      cancel: { status: 200, raw: "<html>maintenance</html>" },
      webhook: { drop: true },
    });
    const res = await cancelJob(main, user.token, jobId);
    assert.equal(res.status, 502, res.text);
    assert.equal(res.body.error, "provider_error", res.text);
    assert.equal(cancelRequests(providerJobId).length, 1);
    assert.equal((await jobRow(jobId)).status, "submitted");
    assert.deepEqual(await refundsOf(user.id, jobId), []);
    assert.equal(await balance(user.id), 9);
    await runpod.finish(providerJobId, "CANCELLED");
  });

  test("a job still being submitted (queued, no RunPod id yet): 409, nothing refunded; once submitted, the cancel reaches RunPod", async () => {
    const user = await newUser(auth);
    runpod.script({ steps: ["IN_QUEUE"], webhook: { drop: true } });
    let release;
    const released = new Promise((resolve) => (release = resolve));
    rpProxy.hold = async (exchange) => {
      if (exchange.path === `/${RP_ENDPOINT}/run`) await released;
    };
    const posting = postJob(racing, user.token, { prompt: "cancel me before RunPod answers" });
    await waitFor("the queued job", async () => (await userJobs(user.id)).length === 1);
    const [{ id: jobId, status }] = await userJobs(user.id);
    assert.equal(status, "queued");

    const early = await cancelJob(main, user.token, jobId);
    release();
    const created = await posting;
    assert.equal(early.status, 409, early.text);
    assert.equal(early.body.error, "conflict", early.text);
    assert.match(early.body.message, /submitted/, early.text);
    assert.equal(created.status, 200, created.text);
    assert.equal((await jobRow(jobId)).status, "submitted");
    assert.deepEqual(await refundsOf(user.id, jobId), []);
    assert.equal(await balance(user.id), 9);

    const providerJobId = created.body.provider_job_id;
    const res = await cancelJob(main, user.token, jobId);
    assert.equal(res.status, 200, res.text);
    assert.equal(runpod.jobs.get(providerJobId).status, "CANCELLED", "nothing runs unpaid");
    assert.equal((await refundsOf(user.id, jobId)).length, 1);
    assert.equal(await balance(user.id), 10);
  });

  test("GET /jobs/:id never shows RunPod's output of a job not recorded completed", async () => {
    // The job completes at RunPod (callback lost); while the GET's poll is in flight, another
    // path finishes the job otherwise. The answer may not hand over what was not paid for.
    const { user, jobId, providerJobId } = await submittedJob({ steps: ["IN_PROGRESS"], webhook: { drop: true } });
    await runpod.finish(providerJobId, { status: "COMPLETED", output: { video_url: "https://cdn.example.com/secret.mp4" } });
    rpProxy.hold = async (exchange) => {
      if (exchange.path === `/${RP_ENDPOINT}/status/${encodeURIComponent(providerJobId)}`) {
        const [won] = await db.sql.unsafe(LEDGER_SQL.transitionJob, [jobId, "cancelled", '{"source":"test"}', null, null, null]);
        assert.equal(won.applied, true);
      }
    };
    const res = await getJob(racing, user.token, jobId);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.status, "cancelled", res.text);
    assert.doesNotMatch(res.text, /secret\.mp4/, "the output of a job not recorded completed");
    assert.equal(await balance(user.id), 10);
  });
});
