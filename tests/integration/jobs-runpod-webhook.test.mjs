// POST /webhooks/runpod/:job_id?token=, RunPod's completion callback: refused (401) without the
// job's own token, applied once, and a failure seen at once by the webhook, its repeat, polls and
// the cron sweep refunded exactly once.
// Uses the rig of harness/jobs.mjs (real PostgreSQL, the RunPod and Supabase Auth stand-ins, the
// Worker in workerd); after each test, balance = sum(ledger) for every user.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { call } from "./harness/http.mjs";
import {
  useJobsRig, ADMIN, db, runpod, relay, main, getJob, jobRow, jobEvents, ledger, balance, statusCalls,
  webhookOf, submittedJob,
} from "./harness/jobs.mjs";

useJobsRig();

// --- a failure at RunPod seen by several paths at once ---------------------------------------

describe("refund exactly once", () => {
  test("a job failing at RunPod: webhook, a repeated webhook, polls and the cron race; one refund", async (t) => {
    const { user, jobId, providerJobId } = await submittedJob({ steps: ["IN_QUEUE", "IN_PROGRESS"] });
    assert.equal(await balance(user.id), 9);
    // The cron sweep (App::scheduled → jobs::sweep) joins the race for real: it polls open jobs
    // untouched for JOB_POLL_GRACE_SECONDS, so the job is made to look forgotten (updated_at an
    // hour ago) and the sweep polls RunPod for it and may be the one that applies the failure.
    await db.sql`update public.jobs set updated_at = now() - interval '1 hour' where id = ${jobId}`;
    const statusCallsBefore = statusCalls(providerJobId);

    const firstDelivery = runpod.finish(providerJobId, { status: "FAILED", error: "CUDA out of memory" });
    const secondDelivery = runpod.redeliver(providerJobId);
    const [first, second, cron, ...polls] = await Promise.all([
      firstDelivery,
      secondDelivery,
      main.scheduled(),
      getJob(main, user.token, jobId),
      getJob(main, user.token, jobId),
      getJob(main, ADMIN, jobId),
    ]);
    await runpod.webhooksSettled();

    assert.equal(cron.outcome, "ok", JSON.stringify(cron));
    for (const attempts of [first, second]) {
      assert.equal(attempts.length, 1, JSON.stringify(attempts));
      assert.equal(attempts[0].status, 200, JSON.stringify(attempts));
    }
    const hookAnswers = relay.exchanges
      .filter((e) => e.path === `/webhooks/runpod/${jobId}`)
      .map((e) => e.json());
    assert.equal(hookAnswers.length, 2);
    for (const a of hookAnswers) {
      assert.equal(a.ok, true);
      assert.equal(a.status, "failed", JSON.stringify(a));
    }
    for (const p of polls) {
      assert.equal(p.status, 200, p.text);
      assert.equal(p.body.status, "failed", p.text);
      assert.equal(p.body.result?.status, "FAILED", p.text);
    }

    const row = await jobRow(jobId);
    assert.equal(row.status, "failed");
    assert.ok(row.finished_at);
    assert.equal(row.result.status, "FAILED");
    assert.equal(row.result.error, "CUDA out of memory");
    const events = await jobEvents(jobId);
    assert.deepEqual(
      events.map(({ from, to }) => ({ from, to })),
      [
        { from: null, to: "queued" },
        { from: "queued", to: "submitted" },
        { from: "submitted", to: "failed" },
      ],
    );
    const winner = events.at(-1).source;
    assert.ok(["webhook", "poll", "sweep"].includes(winner), `the failure was applied by ${winner}`);
    // the three GETs poll unless the job was already final when they read it; the sweep polls
    // unless a webhook or a GET got there before its select
    assert.ok(statusCalls(providerJobId) - statusCallsBefore <= 4, "at most one RunPod poll per path");
    t.diagnostic(`the failure was applied by: ${winner}`);
    // applied=true is reported by a webhook only when the webhook won
    const appliedByHooks = hookAnswers.filter((a) => a.applied === true).length;
    assert.equal(appliedByHooks, winner === "webhook" ? 1 : 0, JSON.stringify(hookAnswers));

    const refunds = (await ledger(user.id)).filter((e) => e.kind === "refund");
    assert.deepEqual(refunds, [{ kind: "refund", delta: 1, idempotency_key: `refund:${jobId}`, job_id: jobId }]);
    assert.equal(await balance(user.id), 10);
  });
});

// --- the RunPod webhook ------------------------------------------------------------------------

describe("POST /webhooks/runpod/:job_id?token=", () => {
  test("wrong or missing token, unknown job, another job's token: 401 and nothing changes", async () => {
    const a = await submittedJob({ steps: ["IN_QUEUE"] });
    const b = await submittedJob({ steps: ["IN_QUEUE"] });
    const tokenA = webhookOf(a.providerJobId).searchParams.get("token");
    const tokenB = webhookOf(b.providerJobId).searchParams.get("token");
    const completed = { id: a.providerJobId, status: "COMPLETED", output: { video_url: "https://x.example/v.mp4" } };
    const eventsBefore = await jobEvents(a.jobId);

    const attempts = [
      [`/webhooks/runpod/${a.jobId}?token=${"0".repeat(64)}`, "wrong token"],
      [`/webhooks/runpod/${a.jobId}?token=${tokenA.slice(0, -1)}`, "truncated token"],
      [`/webhooks/runpod/${a.jobId}`, "no token"],
      [`/webhooks/runpod/${a.jobId}?token=`, "empty token"],
      [`/webhooks/runpod/${a.jobId}?token=${tokenB}`, "another job's token"],
      [`/webhooks/runpod/${crypto.randomUUID()}?token=${tokenA}`, "unknown job"],
      [`/webhooks/runpod/not-a-job?token=${tokenA}`, "malformed job id"],
    ];
    for (const [path, what] of attempts) {
      const res = await call(main, path, { method: "POST", body: completed });
      assert.equal(res.status, 401, `${what}: ${res.text}`);
      assert.equal(res.body?.ok, false, what);
      assert.equal(res.body?.error, "unauthorized", `${what}: ${res.text}`);
      assert.ok(!res.text.includes(tokenA), `${what}: the answer echoes a token`);
    }
    const row = await jobRow(a.jobId);
    assert.equal(row.status, "submitted");
    assert.equal(row.finished_at, null);
    assert.deepEqual(await jobEvents(a.jobId), eventsBefore);
    assert.equal((await jobRow(b.jobId)).status, "submitted");

    // the right token with a body over 1 MiB (an output held inline): refused before it is
    // read, nothing changes
    const inline = { ...completed, output: { image_base64: "A".repeat(1 << 20) } };
    const large = await call(main, `/webhooks/runpod/${a.jobId}?token=${tokenA}`, { method: "POST", body: inline });
    assert.equal(large.status, 413, large.text);
    assert.equal(large.body.error, "payload_too_large");
    assert.equal((await jobRow(a.jobId)).status, "submitted");

    // the right token with another RunPod job's id in the body: refused, nothing changes
    const foreign = await call(main, `/webhooks/runpod/${a.jobId}?token=${tokenA}`, {
      method: "POST",
      body: { ...completed, id: b.providerJobId },
    });
    assert.equal(foreign.status, 400, foreign.text);
    assert.equal((await jobRow(a.jobId)).status, "submitted");
  });

  test("a valid webhook completes the job; a replay answers 200 with applied false", async () => {
    const { user, jobId, providerJobId } = await submittedJob({ steps: ["IN_QUEUE", "IN_PROGRESS"] });
    const output = { video_url: "https://cdn.example.com/done.mp4" };
    const [attempt] = await runpod.finish(providerJobId, { status: "COMPLETED", output });
    assert.equal(attempt.status, 200, JSON.stringify(attempt));
    const answers = () =>
      relay.exchanges.filter((e) => e.path === `/webhooks/runpod/${jobId}`).map((e) => ({ http: e.status, ...e.json() }));
    assert.deepEqual(answers(), [{ http: 200, ok: true, received: true, applied: true, status: "completed" }]);

    const row = await jobRow(jobId);
    assert.equal(row.status, "completed");
    assert.ok(row.finished_at);
    assert.deepEqual(row.result.output, output);
    const events = await jobEvents(jobId);
    assert.deepEqual(events.at(-1), { from: "submitted", to: "completed", source: "webhook" });

    // RunPod delivers again: 200, nothing applied, nothing changes
    const [replay] = await runpod.redeliver(providerJobId);
    assert.equal(replay.status, 200, JSON.stringify(replay));
    const last = answers().at(-1);
    assert.equal(last.applied, false, JSON.stringify(last));
    assert.equal(last.ok, true);
    assert.deepEqual(await jobEvents(jobId), events);
    // a late FAILED for a completed job changes nothing either (and refunds nothing)
    const token = webhookOf(providerJobId).searchParams.get("token");
    const late = await call(main, `/webhooks/runpod/${jobId}?token=${token}`, {
      method: "POST",
      body: { id: providerJobId, status: "FAILED", error: "late" },
    });
    assert.equal(late.status, 200, late.text);
    assert.equal(late.body.applied, false, late.text);
    assert.equal((await jobRow(jobId)).status, "completed");
    assert.deepEqual(await jobEvents(jobId), events);
    assert.equal((await ledger(user.id)).filter((e) => e.kind === "refund").length, 0);
    assert.equal(await balance(user.id), 9);
  });
});
