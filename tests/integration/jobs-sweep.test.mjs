// The cron sweep (scheduled): open jobs whose webhook never came polled once past the grace
// period, jobs stuck in queued failed, jobs past their deadline timed out (or recorded as RunPod
// finished them), old idempotency keys pruned, a backlog RunPod forgot not starving the batch.
// Uses the rig of harness/jobs.mjs (real PostgreSQL, the RunPod and Supabase Auth stand-ins, the
// Worker in workerd); after each test, balance = sum(ledger) for every user.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { newUser } from "./harness/http.mjs";
import {
  useJobsRig, ADMIN, RP_KEY, db, auth, runpod, main, postJob, getJob, jobRow, jobEvents, balance, userJobs,
  refundsOf, statusCalls, cancelRequests, hookAnswers, tally, submittedJob, waitFor,
} from "./harness/jobs.mjs";
import { LEDGER_SQL } from "./harness/ledger.mjs";

useJobsRig();

describe("the cron sweep (scheduled)", () => {
  /**
   * One cron run on `main`; answers the job-lifecycle part of the sweep's summary
   * ({timed_out, changed_by_poll, pruned_keys}; retention.test.mjs covers the rest) from the
   * "cron" log line (workerd prints it as console.log of an object).
   */
  async function sweep() {
    const mark = main.logs.length;
    const res = await main.scheduled("*/5 * * * *");
    assert.equal(res.outcome, "ok", JSON.stringify(res));
    const line = main.logs.slice(mark).find((l) => /msg: 'cron'|"msg":"cron"/.test(l.message));
    const fields = line && /sweep"?:\s*\{([^}]*)\}/.exec(line.message);
    assert.ok(fields, `no cron log line with the sweep's summary in ${JSON.stringify(main.logs.slice(mark))}`);
    const summary = Object.fromEntries([...fields[1].matchAll(/"?(\w+)"?:\s*(-?\d+)/g)].map(([, k, v]) => [k, Number(v)]));
    return { timed_out: summary.timed_out, changed_by_poll: summary.changed_by_poll, pruned_keys: summary.pruned_keys };
  }
  const age = (jobId, column, interval) =>
    db.sql.unsafe(`update public.jobs set ${column} = now() - $2::interval where id = $1::uuid`, [jobId, interval]);

  test("open jobs whose webhook never came are polled once untouched for the grace period: completed, failed (one refund), unchanged (touched)", async () => {
    const output = { video_url: "https://cdn.example.com/swept.mp4" };
    const a = await submittedJob({ steps: ["IN_QUEUE", "IN_PROGRESS"], webhook: { drop: true } });
    const b = await submittedJob({ steps: ["IN_PROGRESS"], webhook: { drop: true } });
    const c = await submittedJob({ steps: ["IN_QUEUE"], webhook: { drop: true } });
    const fresh = await submittedJob({ steps: ["IN_QUEUE"], webhook: { drop: true } });
    await runpod.finish(a.providerJobId, { status: "COMPLETED", output });
    await runpod.finish(b.providerJobId, { status: "FAILED", error: "worker lost" });
    await runpod.finish(fresh.providerJobId, { status: "COMPLETED", output });
    for (const j of [a, b, c]) await age(j.jobId, "updated_at", "1 hour");
    const before = Object.fromEntries([a, b, c, fresh].map((j) => [j.jobId, statusCalls(j.providerJobId)]));

    assert.deepEqual(await sweep(), { timed_out: 0, changed_by_poll: 2, pruned_keys: 0 });
    for (const j of [a, b, c]) assert.equal(statusCalls(j.providerJobId) - before[j.jobId], 1, "one RunPod poll");
    assert.equal(statusCalls(fresh.providerJobId), before[fresh.jobId], "a fresh job is left to its webhook");

    const rowA = await jobRow(a.jobId);
    assert.equal(rowA.status, "completed");
    assert.ok(rowA.finished_at);
    assert.equal(rowA.result?.status, "COMPLETED");
    assert.deepEqual(rowA.result?.output, output);
    assert.deepEqual((await jobEvents(a.jobId)).at(-1), { from: "submitted", to: "completed", source: "sweep" });
    assert.deepEqual(await refundsOf(a.user.id, a.jobId), []);
    assert.equal(await balance(a.user.id), 9);

    const rowB = await jobRow(b.jobId);
    assert.equal(rowB.status, "failed");
    assert.ok(rowB.finished_at);
    assert.equal(rowB.result?.error, "worker lost");
    assert.deepEqual((await jobEvents(b.jobId)).at(-1), { from: "submitted", to: "failed", source: "sweep" });
    assert.deepEqual(await refundsOf(b.user.id, b.jobId), [
      { kind: "refund", delta: 1, idempotency_key: `refund:${b.jobId}`, job_id: b.jobId },
    ]);
    assert.equal(await balance(b.user.id), 10);

    // RunPod still IN_QUEUE: status unchanged, no event, but updated_at is fresh again
    const rowC = await jobRow(c.jobId);
    assert.equal(rowC.status, "submitted");
    assert.ok(Date.now() - rowC.updated_at.getTime() < 60_000, `updated_at ${rowC.updated_at.toISOString()}`);
    assert.equal((await jobEvents(c.jobId)).length, 2);
    assert.equal((await jobRow(fresh.jobId)).status, "submitted");

    // the next run has nothing to do: no second poll, no second refund
    assert.deepEqual(await sweep(), { timed_out: 0, changed_by_poll: 0, pruned_keys: 0 });
    assert.equal(statusCalls(c.providerJobId) - before[c.jobId], 1);
    assert.equal((await refundsOf(b.user.id, b.jobId)).length, 1);
    assert.equal(await balance(b.user.id), 10);
  });

  test("a job stuck in queued (never submitted) past the grace period: error, one refund; a fresh queued job is left alone", async () => {
    const userId = crypto.randomUUID();
    const create = async (label) => {
      const [row] = await db.sql.unsafe(LEDGER_SQL.createJob, [
        userId, null, JSON.stringify({ prompt: label }), 1000, 10, null, null, null, 7200, null, 1, null,
      ]);
      assert.equal(row.outcome, "created", JSON.stringify(row));
      return row.job_id;
    };
    const stuck = await create("stuck");
    const fresh = await create("in flight");
    await db.sql`
      update public.jobs set created_at = now() - interval '1 hour', updated_at = now() - interval '1 hour'
      where id = ${stuck}`;
    assert.equal(await balance(userId), 8);

    assert.deepEqual(await sweep(), { timed_out: 0, changed_by_poll: 1, pruned_keys: 0 });
    const row = await jobRow(stuck);
    assert.equal(row.status, "error");
    assert.ok(row.finished_at);
    assert.deepEqual(await jobEvents(stuck), [
      { from: null, to: "queued", source: null },
      { from: "queued", to: "error", source: "sweep" },
    ]);
    assert.deepEqual(await refundsOf(userId, stuck), [
      { kind: "refund", delta: 1, idempotency_key: `refund:${stuck}`, job_id: stuck },
    ]);
    assert.equal((await jobRow(fresh)).status, "queued", "a POST /jobs still in flight is not failed under it");
    assert.deepEqual(await refundsOf(userId, fresh), []);
    assert.equal(await balance(userId), 9);

    assert.deepEqual(await sweep(), { timed_out: 0, changed_by_poll: 0, pruned_keys: 0 });
    assert.equal((await refundsOf(userId, stuck)).length, 1);

    // tidy up: the in-flight job ends like a failed submission
    const [end] = await db.sql.unsafe(LEDGER_SQL.transitionJob, [fresh, "error", '{"source":"test"}', null, null, null]);
    assert.equal(end.applied, true);
    assert.equal(await balance(userId), 10);
  });

  test("a job past its deadline: timed_out, one refund, RunPod told to cancel; its late CANCELLED webhook changes nothing", async () => {
    const { user, jobId, providerJobId } = await submittedJob({ steps: ["IN_PROGRESS"] });
    assert.equal((await getJob(main, user.token, jobId)).body.status, "running");
    await age(jobId, "deadline_at", "1 minute");

    assert.deepEqual(await sweep(), { timed_out: 1, changed_by_poll: 0, pruned_keys: 0 });
    const row = await jobRow(jobId);
    assert.equal(row.status, "timed_out");
    assert.ok(row.finished_at);
    assert.deepEqual((await jobEvents(jobId)).at(-1), { from: "running", to: "timed_out", source: "sweep" });
    assert.deepEqual(await refundsOf(user.id, jobId), [
      { kind: "refund", delta: 1, idempotency_key: `refund:${jobId}`, job_id: jobId },
    ]);
    assert.equal(await balance(user.id), 10);

    // the cancel goes out after the sweep's work (waitUntil)
    await waitFor("RunPod /cancel", () => cancelRequests(providerJobId).length > 0);
    const [sent] = cancelRequests(providerJobId);
    assert.equal(sent.headers.authorization, `Bearer ${RP_KEY}`);
    assert.equal(runpod.jobs.get(providerJobId).status, "CANCELLED");
    await runpod.webhooksSettled();
    assert.deepEqual(hookAnswers(jobId), [{ http: 200, ok: true, received: true, applied: false, status: "timed_out" }]);
    assert.equal((await jobRow(jobId)).status, "timed_out");
    assert.equal((await refundsOf(user.id, jobId)).length, 1);

    assert.deepEqual(await sweep(), { timed_out: 0, changed_by_poll: 0, pruned_keys: 0 });
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(cancelRequests(providerJobId).length, 1, "one cancel");
    assert.equal(await balance(user.id), 10);
  });

  test("a job past its deadline that RunPod finished (callback missed): polled first, completed, not refunded", async () => {
    const { user, jobId, providerJobId } = await submittedJob({ steps: ["IN_PROGRESS"], webhook: { drop: true } });
    await runpod.finish(providerJobId, { status: "COMPLETED", output: { text: "done" } });
    await age(jobId, "deadline_at", "1 minute");

    assert.deepEqual(await sweep(), { timed_out: 0, changed_by_poll: 1, pruned_keys: 0 });
    assert.equal((await jobRow(jobId)).status, "completed");
    assert.deepEqual((await jobEvents(jobId)).at(-1), { from: "submitted", to: "completed", source: "sweep" });
    assert.deepEqual(await refundsOf(user.id, jobId), []);
    assert.equal(await balance(user.id), 9);
    assert.equal(cancelRequests(providerJobId).length, 0, "a finished job is not cancelled");
  });

  test("a job past its deadline whose poll fails: left open for the next sweep; an hour overdue, timed out", async () => {
    const { user, jobId, providerJobId } = await submittedJob({
      steps: ["IN_PROGRESS"],
      status: { status: 503, times: 1 },
      webhook: { drop: true },
    });
    await age(jobId, "deadline_at", "1 minute");
    assert.deepEqual(await sweep(), { timed_out: 0, changed_by_poll: 0, pruned_keys: 0 });
    assert.equal((await jobRow(jobId)).status, "submitted");
    assert.equal(await balance(user.id), 9);

    runpod.script({ status: { status: 503, times: 1 } }, { job: providerJobId });
    await age(jobId, "deadline_at", "61 minutes");
    assert.deepEqual(await sweep(), { timed_out: 1, changed_by_poll: 0, pruned_keys: 0 });
    assert.equal((await jobRow(jobId)).status, "timed_out");
    assert.equal((await refundsOf(user.id, jobId)).length, 1);
    assert.equal(await balance(user.id), 10);
  });

  test("idempotency keys older than 24 h are pruned; younger ones kept", async () => {
    const user = await newUser(auth);
    const oldKey = `idem-old-${crypto.randomUUID()}`;
    const youngKey = `idem-young-${crypto.randomUUID()}`;
    const oldBody = { prompt: "an old request" };
    const first = await postJob(main, user.token, oldBody, { "idempotency-key": oldKey });
    assert.equal(first.status, 200, first.text);
    const young = await postJob(main, user.token, { prompt: "a younger request" }, { "idempotency-key": youngKey });
    assert.equal(young.status, 200, young.text);
    await db.sql`update public.idempotency_keys set created_at = now() - interval '25 hours' where key = ${oldKey}`;
    await db.sql`update public.idempotency_keys set created_at = now() - interval '23 hours' where key = ${youngKey}`;

    assert.deepEqual(await sweep(), { timed_out: 0, changed_by_poll: 0, pruned_keys: 1 });
    const keys = await db.sql`
      select key, state, response_status, job_id from public.idempotency_keys where key in (${oldKey}, ${youngKey})`;
    assert.deepEqual(
      keys.map((k) => ({ ...k })),
      [{ key: youngKey, state: "done", response_status: 200, job_id: young.body.job_id }],
    );

    const replay = await postJob(main, user.token, { prompt: "a younger request" }, { "idempotency-key": youngKey });
    assert.equal(replay.headers.get("idempotent-replayed"), "true");
    assert.deepEqual(replay.body, young.body);
    const anew = await postJob(main, user.token, oldBody, { "idempotency-key": oldKey });
    assert.equal(anew.status, 200, anew.text);
    assert.equal(anew.headers.get("idempotent-replayed"), null, "a pruned key starts afresh");
    assert.notEqual(anew.body.job_id, first.body.job_id);
    assert.equal((await userJobs(user.id)).length, 3);
    assert.equal(await balance(user.id), 7);
  });

  test("50 stale jobs RunPod no longer knows do not keep the sweep from reconciling another one", async (t) => {
    // RunPod keeps a job's result ~30 min; a backlog of jobs it has forgotten answer 404 on
    // every poll. The sweep polls at most 50 stale jobs per run, oldest updated_at first.
    runpod.script({ steps: ["IN_QUEUE"], webhook: { drop: true } }, { times: 50 });
    const forgotten = await Promise.all(
      Array.from({ length: 50 }, (_, i) => postJob(main, ADMIN, { prompt: `forgotten ${i}` })),
    );
    assert.deepEqual(tally(forgotten), { 200: 50 });
    const ids = forgotten.map((r) => r.body.job_id);
    try {
      for (const r of forgotten) runpod.forget(r.body.provider_job_id);
      await db.sql`update public.jobs set updated_at = now() - interval '2 hours' where id in ${db.sql(ids)}`;

      const { user, jobId, providerJobId } = await submittedJob({ steps: ["IN_QUEUE"], webhook: { drop: true } });
      await runpod.finish(providerJobId, { status: "COMPLETED", output: { video_url: "https://cdn.example.com/late.mp4" } });
      await age(jobId, "updated_at", "1 hour");

      const summaries = [await sweep(), await sweep(), await sweep()];
      t.diagnostic(`sweeps: ${JSON.stringify(summaries)}; RunPod polls of the job: ${statusCalls(providerJobId)}`);
      const row = await jobRow(jobId);
      assert.equal(
        row.status,
        "completed",
        `after 3 sweeps the job RunPod completed is still ${row.status} (RunPod polled ${statusCalls(providerJobId)} times)`,
      );
      assert.equal(await balance(user.id), 9);
    } finally {
      // leave no stale open job behind for later sweeps
      for (const id of ids) await db.sql.unsafe(LEDGER_SQL.transitionJob, [id, "failed", '{"source":"test"}', null, null, null]);
    }
  });
});
