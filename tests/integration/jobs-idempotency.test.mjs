// POST /jobs with an Idempotency-Key: the same key and body replay the first answer (a 502
// too) with one job and one reservation; another body is a 422; a key still in flight, a 409.
// Uses the rig of harness/jobs.mjs (real PostgreSQL, the RunPod and Supabase Auth stand-ins, the
// Worker in workerd); after each test, balance = sum(ledger) for every user.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { newUser } from "./harness/http.mjs";
import { useJobsRig, auth, runpod, main, postJob, ledger, balance, userJobs, runRequests } from "./harness/jobs.mjs";

useJobsRig();

describe("Idempotency-Key", () => {
  test("same key and body: the identical response, replayed; one job, one reservation; another body: 422", async () => {
    const user = await newUser(auth);
    const key = `idem-${crypto.randomUUID()}`;
    const body = { prompt: "an idempotent fox" };
    const runsBefore = runRequests().length;
    const first = await postJob(main, user.token, body, { "idempotency-key": key });
    assert.equal(first.status, 200, first.text);
    assert.equal(first.headers.get("idempotent-replayed"), null);
    const second = await postJob(main, user.token, body, { "idempotency-key": key });
    assert.equal(second.status, first.status);
    assert.deepEqual(second.body, first.body);
    assert.equal(second.headers.get("idempotent-replayed"), "true");

    const other = await postJob(main, user.token, { ...body, prompt: "another fox" }, { "idempotency-key": key });
    assert.equal(other.status, 422, other.text);
    assert.equal(other.body.error, "idempotency_key_reused", other.text);

    assert.equal(runRequests().length - runsBefore, 1, "RunPod saw one submission");
    const jobs = await userJobs(user.id);
    assert.deepEqual(jobs.map((j) => j.id), [first.body.job_id]);
    assert.equal((await ledger(user.id)).filter((e) => e.kind === "reserve").length, 1);
    assert.equal(await balance(user.id), 9);

    // the key is per caller: another user with the same key gets a job of their own
    const stranger = await newUser(auth);
    const theirs = await postJob(main, stranger.token, body, { "idempotency-key": key });
    assert.equal(theirs.status, 200, theirs.text);
    assert.notEqual(theirs.body.job_id, first.body.job_id);
    assert.equal(theirs.headers.get("idempotent-replayed"), null);
  });

  test("a 502 is replayed too, without a second job or charge", async () => {
    const user = await newUser(auth);
    const key = `idem-${crypto.randomUUID()}`;
    runpod.script({ run: { status: 500 } });
    const first = await postJob(main, user.token, { prompt: "x" }, { "idempotency-key": key });
    assert.equal(first.status, 502, first.text);
    const runsBefore = runRequests().length;
    const second = await postJob(main, user.token, { prompt: "x" }, { "idempotency-key": key });
    assert.equal(second.status, 502, second.text);
    assert.deepEqual(second.body, first.body);
    assert.equal(second.headers.get("idempotent-replayed"), "true");
    assert.equal(runRequests().length, runsBefore);
    assert.equal((await userJobs(user.id)).length, 1);
    const entries = await ledger(user.id);
    assert.equal(entries.filter((e) => e.kind === "reserve").length, 1);
    assert.equal(entries.filter((e) => e.kind === "refund").length, 1);
    assert.equal(await balance(user.id), 10);
  });

  test("same key while the first request is still running: 409, then the replay", async () => {
    const user = await newUser(auth);
    const key = `idem-${crypto.randomUUID()}`;
    runpod.script({ run: { delayMs: 1500 } });
    const firstP = postJob(main, user.token, { prompt: "slow" }, { "idempotency-key": key });
    // wait until the first request has reached RunPod (its job row and key exist)
    const deadline = Date.now() + 5000;
    while ((await userJobs(user.id)).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    const during = await postJob(main, user.token, { prompt: "slow" }, { "idempotency-key": key });
    assert.equal(during.status, 409, during.text);
    assert.equal(during.body.ok, false);
    const first = await firstP;
    assert.equal(first.status, 200, first.text);
    const later = await postJob(main, user.token, { prompt: "slow" }, { "idempotency-key": key });
    assert.equal(later.status, 200, later.text);
    assert.deepEqual(later.body, first.body);
    assert.equal((await userJobs(user.id)).length, 1);
    assert.equal(await balance(user.id), 9);
  });
});
