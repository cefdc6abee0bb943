// POST /jobs: the seed's answer shapes (RunPod configured; the noop, refunded), one model priced
// and run, reservations and the hourly limit under 50 concurrent requests, and submission
// errors (502 provider_error with the job id, the job `error`, one refund).
// Uses the rig of harness/jobs.mjs (real PostgreSQL, the RunPod and Supabase Auth stand-ins, the
// Worker in workerd); after each test, balance = sum(ledger) for every user.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { newUser } from "./harness/http.mjs";
import {
  useJobsRig, ADMIN, RP_KEY, UUID, db, auth, runpod, relay, main, noop, limited, offline, postJob, jobRow,
  jobEvents, ledger, balance, userJobs, runRequests, webhookOf, tally,
} from "./harness/jobs.mjs";

useJobsRig({ workers: ["noop", "limited", "offline"] });

const sha256hex = (s) => crypto.createHash("sha256").update(s).digest("hex");

// --- the seed's behaviour ------------------------------------------------------------------

describe("the seed's POST /jobs shapes", () => {
  test("admin with RunPod configured: 200 with provider_job_id; RunPod gets the prompt and a per-job webhook", async () => {
    const before = runRequests().length;
    const res = await postJob(main, ADMIN, { prompt: "a red fox in the snow" });
    assert.equal(res.status, 200, res.text);
    assert.ok(res.headers.get("x-request-id"));
    const b = res.body;
    assert.equal(b.ok, true);
    assert.equal(b.status, "submitted");
    assert.equal(b.provider, "runpod");
    assert.match(b.job_id, UUID);
    const rp = runpod.lastJob();
    assert.equal(b.provider_job_id, rp.id);
    assert.deepEqual(b.result, { id: rp.id, status: "IN_QUEUE" }, "result is RunPod's answer");

    // RunPod: one /run with our key, the input the model takes (a prompt), and the webhook
    const runs = runRequests();
    assert.equal(runs.length, before + 1);
    const sent = runs.at(-1);
    assert.equal(sent.headers.authorization, `Bearer ${RP_KEY}`);
    assert.deepEqual(sent.json().input, { prompt: "a red fox in the snow" });
    const hook = webhookOf(rp.id);
    assert.equal(hook.origin, relay.url, "the webhook is on PUBLIC_BASE_URL");
    assert.equal(hook.pathname, `/webhooks/runpod/${b.job_id}`);
    const token = hook.searchParams.get("token");
    assert.ok(token && token.length >= 32, `per-job token: ${token}`);

    // DB: an admin job (no user, free), its token only as a hash, the transitions as events
    const row = await jobRow(b.job_id);
    assert.equal(row.status, "submitted");
    assert.equal(row.user_id, null);
    assert.equal(row.cost_credits, 0);
    assert.equal(row.provider, "runpod");
    assert.equal(row.provider_job_id, rp.id);
    assert.equal(row.webhook_token_hash, sha256hex(token));
    assert.deepEqual(row.payload.input, { prompt: "a red fox in the snow" }, "the input as priced");
    assert.deepEqual(await jobEvents(b.job_id), [
      { from: null, to: "queued", source: null },
      { from: "queued", to: "submitted", source: "submit" },
    ]);
    const [{ n }] = await db.sql`select count(*)::int as n from public.credit_ledger where job_id = ${b.job_id}`;
    assert.equal(n, 0, "an admin job moves no credits");
  });

  test("admin without RunPod: 202 noop shape, job recorded as noop", async () => {
    const res = await postJob(noop, ADMIN, { prompt: "a red fox" });
    assert.equal(res.status, 202, res.text);
    const { job_id: jobId, ...rest } = res.body;
    assert.match(jobId, UUID);
    assert.deepEqual(rest, {
      ok: true,
      status: "submitted",
      provider: "noop",
      provider_job_id: null,
      message: "runpod_not_configured",
    });
    const row = await jobRow(jobId);
    assert.equal(row.status, "noop");
    assert.equal(row.provider, "noop");
    assert.equal(row.user_id, null);
    assert.deepEqual(await jobEvents(jobId), [
      { from: null, to: "queued", source: null },
      { from: "queued", to: "noop", source: "submit" },
    ]);
  });

  test("a user's noop job is refunded: the balance is the welcome grant, unchanged", async () => {
    const user = await newUser(auth);
    const res = await postJob(noop, user.token, { prompt: "a blue fox" });
    assert.equal(res.status, 202, res.text);
    assert.equal(res.body.provider, "noop");
    const jobId = res.body.job_id;
    const row = await jobRow(jobId);
    assert.equal(row.status, "noop");
    assert.equal(row.user_id, user.id);
    assert.equal(row.cost_credits, 1);
    assert.deepEqual(await ledger(user.id), [
      { kind: "grant", delta: 10, idempotency_key: `welcome:${user.id}`, job_id: null },
      { kind: "reserve", delta: -1, idempotency_key: `reserve:${jobId}`, job_id: jobId },
      { kind: "refund", delta: 1, idempotency_key: `refund:${jobId}`, job_id: jobId },
    ]);
    assert.equal(await balance(user.id), 10);
  });

  test("input.model cannot pick another model than the one priced: 400, nothing charged or sent", async () => {
    // (a model takes only the inputs it declares, and none declares `model`: the job's model is `model`)
    const pricey = `pricey-${crypto.randomUUID().slice(0, 8)}`;
    await db.sql`insert into public.models (id, provider, content_type, pricing) values (${pricey}, 'runpod', 'video', '{"base": 5}')`;
    try {
      const user = await newUser(auth);
      const runs = runRequests().length;
      for (const body of [
        { prompt: "x", input: { model: pricey } },
        { prompt: "x", model: "runpod-image", input: { model: pricey } },
      ]) {
        const res = await postJob(main, user.token, body);
        assert.equal(res.status, 400, `${JSON.stringify(body)}: ${res.text}`);
        assert.equal(res.body.error, "invalid_input", res.text);
        assert.match(res.body.message, /input\.model/, res.text);
      }
      assert.equal(runRequests().length, runs, "RunPod was asked to run an unpriced model");
      assert.equal((await userJobs(user.id)).length, 0);

      // the model named is what was priced: charged 5, RunPod runs it
      const res = await postJob(main, user.token, { prompt: "x", model: pricey });
      assert.equal(res.status, 200, res.text);
      assert.equal((await jobRow(res.body.job_id)).cost_credits, 5);
      assert.equal(runRequests().at(-1).json().input.model, pricey);
      assert.equal(await balance(user.id), 5);
    } finally {
      await db.sql`update public.models set enabled = false where id = ${pricey}`;
    }
  });
});

// --- reservation and the rate limit under concurrency ---------------------------------------

describe("concurrency against real PostgreSQL", () => {
  test("50 simultaneous POST /jobs with 10 credits: exactly 10 accepted, 40 × 402, balance 0", async () => {
    const user = await newUser(auth);
    const runsBefore = runRequests().length;
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, i) => postJob(main, user.token, { prompt: `burst ${i}` })),
    );
    assert.deepEqual(tally(responses), { 200: 10, 402: 40 }, JSON.stringify(responses.map((r) => [r.status, r.body])));
    for (const r of responses.filter((x) => x.status === 402)) {
      assert.equal(r.body.ok, false);
      assert.equal(r.body.error, "insufficient_credits", r.text);
      assert.equal(r.body.balance, 0, r.text);
      assert.equal(r.body.required, 1, r.text);
    }
    const accepted = responses.filter((x) => x.status === 200).map((r) => r.body.job_id);
    assert.equal(new Set(accepted).size, 10);
    assert.equal(runRequests().length - runsBefore, 10, "only accepted jobs reach RunPod");

    const jobs = await userJobs(user.id);
    assert.equal(jobs.length, 10, "refused requests leave no job");
    assert.deepEqual(jobs.map((j) => j.id).sort(), [...accepted].sort());
    assert.ok(jobs.every((j) => j.status === "submitted"));
    const entries = await ledger(user.id);
    assert.equal(entries.filter((e) => e.kind === "grant").length, 1, "the welcome grant once");
    assert.equal(entries.filter((e) => e.kind === "reserve").length, 10);
    assert.equal(entries.length, 11);
    assert.equal(await balance(user.id), 0);
    assert.equal(entries.reduce((s, e) => s + e.delta, 0), 0, "ledger sum = balance");
  });

  test("the hourly limit binding (JOBS_PER_HOUR=5, 10 credits): exactly 5 accepted, the rest 429 with Retry-After", async () => {
    const user = await newUser(auth);
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, i) => postJob(limited, user.token, { prompt: `limited ${i}` })),
    );
    assert.deepEqual(tally(responses), { 200: 5, 429: 45 }, JSON.stringify(responses.map((r) => [r.status, r.body])));
    for (const r of responses.filter((x) => x.status === 429)) {
      assert.equal(r.body.ok, false);
      assert.equal(r.body.error, "rate_limited", r.text);
      const retry = r.headers.get("retry-after");
      assert.match(retry ?? "", /^\d+$/, "Retry-After in seconds");
      assert.ok(Number(retry) >= 1 && Number(retry) <= 3600, `Retry-After ${retry}`);
    }
    const jobs = await userJobs(user.id);
    assert.equal(jobs.length, 5);
    const entries = await ledger(user.id);
    assert.equal(entries.filter((e) => e.kind === "reserve").length, 5);
    assert.equal(await balance(user.id), 5);
    assert.equal(entries.reduce((s, e) => s + e.delta, 0), 5, "ledger sum = balance");

    // still limited afterwards, whatever the credits
    const again = await postJob(limited, user.token, { prompt: "one more" });
    assert.equal(again.status, 429, again.text);
    assert.equal((await userJobs(user.id)).length, 5);
  });
});

// --- submission errors ---------------------------------------------------------------------

describe("submission errors: 502 provider_error with the job id, job error, one refund", () => {
  const cases = [
    { name: "RunPod answers 500", worker: () => main, script: { run: { status: 500 } }, http: 500 },
    { name: "RunPod answers 429", worker: () => main, script: { run: { status: 429 } }, http: 429 },
    { name: "RunPod answers 200 with a body that is not a job", worker: () => main, script: { run: { raw: "<html>oops" } }, http: 200 },
    { name: "RunPod unreachable", worker: () => offline, script: null, http: 0 },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const user = await newUser(auth);
      if (c.script) runpod.script(c.script);
      const runsBefore = runRequests().length;
      const res = await postJob(c.worker(), user.token, { prompt: "will not be accepted" });
      assert.equal(res.status, 502, res.text);
      assert.equal(res.body.ok, false);
      assert.equal(res.body.error, "provider_error", res.text);
      assert.match(res.body.job_id ?? "", UUID, res.text);
      if (c.script) assert.equal(runRequests().length - runsBefore, 1);

      const jobId = res.body.job_id;
      const row = await jobRow(jobId);
      assert.equal(row.user_id, user.id);
      assert.equal(row.status, "error");
      assert.equal(row.provider_job_id, null);
      assert.equal(row.error?.stage, "submit", JSON.stringify(row.error));
      assert.equal(row.error?.http_status, c.http, JSON.stringify(row.error));
      assert.deepEqual(
        (await jobEvents(jobId)).map(({ from, to }) => ({ from, to })),
        [
          { from: null, to: "queued" },
          { from: "queued", to: "error" },
        ],
      );
      const entries = await ledger(user.id);
      assert.deepEqual(
        entries.filter((e) => e.job_id === jobId),
        [
          { kind: "reserve", delta: -1, idempotency_key: `reserve:${jobId}`, job_id: jobId },
          { kind: "refund", delta: 1, idempotency_key: `refund:${jobId}`, job_id: jobId },
        ],
      );
      assert.equal(await balance(user.id), 10);
    });
  }
  // A /run slower than the Worker's 15 s RunPod timeout (src/providers/runpod.cpp) is the same
  // path as "unreachable" (a fetch error); it is not run here, it would take > 15 s.
});
