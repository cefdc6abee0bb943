// GET /jobs/:id (polling RunPod while the job is open, the database once it is finished, who may
// see it) and GET /jobs (newest first, cursor pages that neither skip nor repeat, status=, the
// caller's jobs only, the admin's view of all).
// Uses the rig of harness/jobs.mjs (real PostgreSQL, the RunPod and Supabase Auth stand-ins, the
// Worker in workerd); after each test, balance = sum(ledger) for every user.

import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { call, newUser } from "./harness/http.mjs";
import {
  useJobsRig, ADMIN, db, auth, main, noop, postJob, getJob, jobRow, jobEvents, ledger, balance, statusCalls,
  tally, submittedJob,
} from "./harness/jobs.mjs";

useJobsRig({ workers: ["noop"] });

// --- GET /jobs/:id ---------------------------------------------------------------------------

describe("GET /jobs/:id", () => {
  test("polls RunPod while open and records the moves; once completed, no RunPod call", async () => {
    const output = { video_url: "https://cdn.example.com/v.mp4" };
    const { user, jobId, providerJobId } = await submittedJob({
      steps: ["IN_QUEUE", "IN_PROGRESS", { status: "COMPLETED", output }],
      webhook: { drop: true }, // the polls alone move this job
    });

    const expectPoll = async (status, runpodStatus) => {
      const calls = statusCalls(providerJobId);
      const res = await getJob(main, user.token, jobId);
      assert.equal(res.status, 200, res.text);
      assert.equal(statusCalls(providerJobId) - calls, 1, "one RunPod /status call");
      assert.equal(res.body.ok, true);
      assert.equal(res.body.job_id, jobId);
      assert.equal(res.body.status, status, res.text);
      assert.equal(res.body.provider, "runpod");
      assert.equal(res.body.provider_job_id, providerJobId);
      assert.equal(res.body.user_id, user.id);
      assert.equal(res.body.cost_credits, 1);
      assert.equal(res.body.charged_credits, status === "completed" ? 1 : null, "charged once finished");
      assert.equal(res.body.result?.status, runpodStatus, res.text);
      assert.ok(!("webhook_token_hash" in res.body), "no internals in the view");
      assert.equal((await jobRow(jobId)).status, status, "the DB follows");
      return res;
    };
    await expectPoll("submitted", "IN_QUEUE");
    await expectPoll("running", "IN_PROGRESS");
    const done = await expectPoll("completed", "COMPLETED");
    assert.deepEqual(done.body.result.output, output);

    const row = await jobRow(jobId);
    assert.equal(row.status, "completed");
    assert.ok(row.finished_at);
    assert.deepEqual(row.result.output, output);
    assert.deepEqual(await jobEvents(jobId), [
      { from: null, to: "queued", source: null },
      { from: "queued", to: "submitted", source: "submit" },
      { from: "submitted", to: "running", source: "poll" },
      { from: "running", to: "completed", source: "poll" },
    ]);

    // finished: answered from the database
    const calls = statusCalls(providerJobId);
    const again = await getJob(main, user.token, jobId);
    assert.equal(again.status, 200, again.text);
    assert.equal(again.body.status, "completed");
    assert.deepEqual(again.body.result?.output, output);
    assert.equal(statusCalls(providerJobId), calls, "no RunPod call for a finished job");
    assert.equal((await ledger(user.id)).filter((e) => e.kind === "refund").length, 0);
    assert.equal(await balance(user.id), 9);

    // who may see it
    const admin = await getJob(main, ADMIN, jobId);
    assert.equal(admin.status, 200, admin.text);
    const stranger = await newUser(auth);
    const theirs = await getJob(main, stranger.token, jobId);
    assert.equal(theirs.status, 404, theirs.text);
    assert.equal(theirs.body.error, "not_found");
    const unknown = await getJob(main, user.token, crypto.randomUUID());
    assert.equal(unknown.status, 404, unknown.text);
    for (const bad of ["not-a-uuid", "1234", `${jobId}x`, "'; select 1; --"]) {
      const res = await getJob(main, user.token, encodeURIComponent(bad));
      assert.equal(res.status, 404, `${bad}: ${res.text}`);
      assert.equal(res.body?.error, "not_found", `${bad}: ${res.text}`);
    }
    const anonymous = await getJob(main, undefined, jobId);
    assert.equal(anonymous.status, 401, anonymous.text);
    assert.equal(anonymous.body.error, "unauthorized");
  });
});

// --- GET /jobs ------------------------------------------------------------------------------------

describe("GET /jobs?limit&cursor&status", () => {
  let user; // 25 jobs (15 noop, 10 submitted), with created_at ties across page boundaries
  let other; // 2 jobs

  /** Job ids as the database orders them (newest first), optionally for one user / status. */
  async function dbOrder({ userId = null, status = null } = {}) {
    const rows = await db.sql`
      select id from public.jobs
      where (${userId}::uuid is null or user_id = ${userId}::uuid) and (${status}::text is null or status = ${status}::text)
      order by created_at desc, id desc`;
    return rows.map((r) => r.id);
  }

  /** Pages through GET /jobs until the cursor is null; answers {pages: [body...], ids}. */
  async function pageThrough(token, { limit, status, between } = {}) {
    const pages = [];
    let cursor = null;
    for (let i = 0; i < 100; i++) {
      const qs = new URLSearchParams();
      if (limit !== undefined) qs.set("limit", String(limit));
      if (status !== undefined) qs.set("status", status);
      if (cursor !== null) qs.set("cursor", cursor);
      const res = await call(main, `/jobs?${qs}`, { token });
      assert.equal(res.status, 200, `page ${i} (${qs}): ${res.text}`);
      assert.equal(res.body.ok, true);
      assert.ok(Array.isArray(res.body.jobs), res.text);
      assert.ok("cursor" in res.body, res.text);
      pages.push(res.body);
      cursor = res.body.cursor;
      if (cursor === null) break;
      assert.equal(typeof cursor, "string", res.text);
      if (between) await between(i);
    }
    assert.equal(cursor, null, "never reached the last page");
    return { pages, ids: pages.flatMap((p) => p.jobs.map((j) => j.job_id)) };
  }

  before(async () => {
    user = await newUser(auth);
    other = await newUser(auth);
    // 25 concurrent creations need 25 credits at once (noop jobs refund only after their reservation)
    const grant = await call(main, "/admin/credits", {
      method: "POST",
      token: ADMIN,
      body: { user_id: user.id, amount: 20, reason: "list test", idempotency_key: `list-${user.id}` },
    });
    assert.equal(grant.status, 200, grant.text);
    const created = await Promise.all([
      ...Array.from({ length: 15 }, (_, i) => postJob(noop, user.token, { prompt: `list noop ${i}` })),
      ...Array.from({ length: 10 }, (_, i) => postJob(main, user.token, { prompt: `list runpod ${i}` })),
      ...Array.from({ length: 2 }, (_, i) => postJob(main, other.token, { prompt: `other ${i}` })),
    ]);
    assert.deepEqual(tally(created), { 200: 12, 202: 15 }, JSON.stringify(created.map((r) => [r.status, r.body])));
    // a job of the admin's own (no user), for the admin's view of everyone's
    const adminJob = await postJob(noop, ADMIN, { prompt: "list admin" });
    assert.equal(adminJob.status, 202, adminJob.text);

    // Ties: positions 7-12 (newest first) get one identical created_at, so the limit=10 page
    // boundary falls inside the tie; 17-22 share one millisecond, a microsecond apart (the
    // API shows milliseconds), across the 20 boundary.
    const order = await dbOrder({ userId: user.id });
    assert.equal(order.length, 25);
    await db.sql`
      update public.jobs set created_at = (select created_at from public.jobs where id = ${order[10]})
      where id in ${db.sql(order.slice(7, 13))}`;
    const [{ t }] = await db.sql`select date_trunc('milliseconds', created_at) as t from public.jobs where id = ${order[22]}`;
    for (let k = 17; k <= 22; k++) {
      await db.sql`
        update public.jobs set created_at = ${t}::timestamptz + ${`${22 - k} microseconds`}::interval
        where id = ${order[k]}`;
    }
    const [{ n }] = await db.sql`
      select count(*)::int as n from (select created_at from public.jobs where user_id = ${user.id}
      group by created_at having count(*) > 1) ties`;
    assert.equal(n, 1, "one group of identical created_at");
  });

  test("25 jobs, limit=5 and the default limit: newest first, each exactly once, cursor null on the last page", async () => {
    const expected = await dbOrder({ userId: user.id });
    const { pages, ids } = await pageThrough(user.token, { limit: 5 });
    assert.deepEqual(
      pages.map((p) => p.jobs.length),
      [5, 5, 5, 5, 5],
      "no empty page after the last one",
    );
    assert.deepEqual(ids, expected);

    // each item: the caller's job as GET /jobs/:id shows it, no internals
    const rows = new Map((await db.sql`select * from public.jobs where user_id = ${user.id}`).map((r) => [r.id, r]));
    let previous = Infinity;
    for (const item of pages.flatMap((p) => p.jobs)) {
      const row = rows.get(item.job_id);
      assert.ok(row, `not the user's job: ${item.job_id}`);
      assert.equal(item.user_id, user.id);
      assert.equal(item.status, row.status);
      assert.equal(item.cost_credits, 1);
      // charged once finished: noop jobs are refunded, the RunPod ones still run
      const charged = ["queued", "submitted", "running"].includes(row.status) ? null : row.status === "completed" ? 1 : 0;
      assert.equal(item.charged_credits, charged, JSON.stringify(item));
      assert.equal(item.provider, row.provider);
      assert.equal(item.provider_job_id, row.provider_job_id);
      assert.ok(!("webhook_token_hash" in item) && !("ok" in item) && !("payload" in item), JSON.stringify(item));
      const at = Date.parse(item.created_at);
      assert.ok(Number.isFinite(at), `created_at: ${item.created_at}`);
      assert.ok(at <= previous, "created_at descending");
      previous = at;
    }

    const first = await call(main, "/jobs", { token: user.token });
    assert.equal(first.status, 200, first.text);
    assert.deepEqual(first.body.jobs.map((j) => j.job_id), expected.slice(0, 20), "the default page is 20");
    assert.equal(typeof first.body.cursor, "string");
    const rest = await call(main, `/jobs?cursor=${encodeURIComponent(first.body.cursor)}`, { token: user.token });
    assert.equal(rest.status, 200, rest.text);
    assert.deepEqual(rest.body.jobs.map((j) => j.job_id), expected.slice(20));
    assert.equal(rest.body.cursor, null);

    const all = await call(main, "/jobs?limit=100", { token: user.token });
    assert.deepEqual(all.body.jobs.map((j) => j.job_id), expected);
    assert.equal(all.body.cursor, null);
  });

  test("limit=10 with a job created between pages: 10 + 10 + 5, none skipped or repeated, the new one not shifting pages", async () => {
    const expected = await dbOrder({ userId: user.id });
    let added = null;
    const { pages, ids } = await pageThrough(user.token, {
      limit: 10,
      between: async (i) => {
        if (i !== 0) return;
        const res = await postJob(noop, user.token, { prompt: "created while paging" });
        assert.equal(res.status, 202, res.text);
        added = res.body.job_id;
      },
    });
    assert.deepEqual(pages.map((p) => p.jobs.length), [10, 10, 5]);
    assert.deepEqual(ids, expected, "the pages after the first are the older jobs, exactly");
    assert.equal(new Set(ids).size, 25);
    assert.ok(added && !ids.includes(added));
    const now = await dbOrder({ userId: user.id });
    assert.deepEqual(now, [added, ...expected], "the new job is the newest");
    const top = await call(main, "/jobs?limit=1", { token: user.token });
    assert.deepEqual(top.body.jobs.map((j) => j.job_id), [added]);
  });

  test("status= filters, with its own pagination", async () => {
    const noops = await dbOrder({ userId: user.id, status: "noop" });
    assert.equal(noops.length, 16);
    const byNoop = await pageThrough(user.token, { limit: 4, status: "noop" });
    assert.deepEqual(byNoop.pages.map((p) => p.jobs.length), [4, 4, 4, 4]);
    assert.deepEqual(byNoop.ids, noops);
    assert.ok(byNoop.pages.every((p) => p.jobs.every((j) => j.status === "noop")));

    const submitted = await dbOrder({ userId: user.id, status: "submitted" });
    assert.equal(submitted.length, 10);
    const bySubmitted = await pageThrough(user.token, { limit: 3, status: "submitted" });
    assert.deepEqual(bySubmitted.ids, submitted);
    assert.ok(bySubmitted.pages.every((p) => p.jobs.every((j) => j.status === "submitted")));

    const none = await call(main, "/jobs?status=completed", { token: user.token });
    assert.equal(none.status, 200, none.text);
    assert.deepEqual(none.body, { ok: true, jobs: [], cursor: null });
  });

  test("another user's jobs never appear; the admin sees everyone's", async () => {
    const mine = await pageThrough(user.token, { limit: 7 });
    const theirs = await pageThrough(other.token, { limit: 7 });
    const otherIds = await dbOrder({ userId: other.id });
    assert.equal(otherIds.length, 2);
    assert.deepEqual(theirs.ids, otherIds);
    assert.ok(theirs.pages.every((p) => p.jobs.every((j) => j.user_id === other.id)));
    assert.ok(!mine.ids.some((id) => otherIds.includes(id)), "another user's job in the list");
    assert.ok(mine.pages.every((p) => p.jobs.every((j) => j.user_id === user.id)));

    const everything = await dbOrder();
    const admin = await pageThrough(ADMIN, { limit: 100 });
    assert.deepEqual(admin.ids, everything, "the admin pages through every job");
    const owners = new Set(admin.pages.flatMap((p) => p.jobs.map((j) => j.user_id)));
    assert.ok(owners.has(user.id) && owners.has(other.id) && owners.has(null), [...owners].join(","));
    const adminNoop = await pageThrough(ADMIN, { limit: 100, status: "noop" });
    assert.deepEqual(adminNoop.ids, await dbOrder({ status: "noop" }));
  });

  test("bad limit or cursor: 400 invalid_request; anonymous: 401", async () => {
    const b64 = (s) => Buffer.from(s).toString("base64url");
    const id = crypto.randomUUID();
    const page = await call(main, "/jobs?limit=2", { token: user.token });
    const good = page.body.cursor;
    const bad = [
      "limit=0",
      "limit=101",
      "limit=-1",
      "limit=abc",
      "limit=1.5",
      "limit=1e2",
      "cursor=garbage!!",
      `cursor=${good}x`,
      `cursor=${b64(`v2:2024-01-01 00:00:00+00|${id}`)}`,
      `cursor=${b64("v1:2024-01-01 00:00:00+00|not-a-uuid")}`,
      `cursor=${b64(`v1:2024-01-01'; drop table public.jobs; --|${id}`)}`,
      `cursor=${b64(`v1:2024-13-45 99:99:99+00|${id}`)}`, // well formed, not a time
    ];
    for (const q of bad) {
      const res = await call(main, `/jobs?${q}`, { token: user.token });
      assert.equal(res.status, 400, `${q}: ${res.status} ${res.text}`);
      assert.equal(res.body?.ok, false, `${q}: ${res.text}`);
      assert.equal(res.body?.error, "invalid_request", `${q}: ${res.text}`);
    }
    for (const q of ["limit=1", "limit=100"]) {
      const res = await call(main, `/jobs?${q}`, { token: user.token });
      assert.equal(res.status, 200, `${q}: ${res.text}`);
    }
    const [{ n }] = await db.sql`select count(*)::int as n from public.jobs where user_id = ${user.id}`;
    assert.equal(n, 26);

    for (const token of [undefined, "not-a-token"]) {
      const res = await call(main, "/jobs", { token });
      assert.equal(res.status, 401, res.text);
      assert.equal(res.body.error, "unauthorized", res.text);
    }
  });
});
