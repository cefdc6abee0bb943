// POST /jobs with `Prefer: wait[=N]`: the finished job when it ends within N seconds (finished
// by RunPod's webhook, or by the Worker's own polls when the webhook never comes), else the usual
// answer. Uses the rig of harness/jobs.mjs (real PostgreSQL, the RunPod and Supabase Auth
// stand-ins, the Worker in workerd); after each test, balance = sum(ledger) for every user.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { newUser } from "./harness/http.mjs";
import { useJobsRig, auth, runpod, main, postJob, jobRow, jobEvents, balance } from "./harness/jobs.mjs";

useJobsRig();

const video = () => {
  const bytes = crypto.randomBytes(4096);
  return { bytes, url: runpod.serveFile(`${crypto.randomUUID()}.mp4`, bytes, "video/mp4") };
};

describe("Prefer: wait", () => {
  test("a job that ends in time: the finished job, with its outputs, and Preference-Applied", async () => {
    const user = await newUser(auth);
    const file = video();
    runpod.script({ steps: ["IN_QUEUE", "IN_PROGRESS", { status: "COMPLETED", output: { video_url: file.url } }], stepMs: 400 });
    const res = await postJob(main, user.token, { prompt: "a patient fox" }, { prefer: "wait=20" });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers.get("preference-applied"), "wait=20");
    assert.equal(res.body.status, "completed", res.text);
    assert.equal(res.body.outputs.length, 1, res.text);
    assert.equal(res.body.outputs[0].size, file.bytes.length);
    assert.ok(res.body.outputs[0].url, "a signed download link, as GET /jobs/:id shows");
    assert.equal((await jobRow(res.body.job_id)).status, "completed");
    assert.equal(await balance(user.id), 9);
  });

  test("its webhook never comes: the Worker's polls while it waits finish it", async () => {
    const user = await newUser(auth);
    runpod.script({ steps: ["IN_QUEUE", { status: "FAILED", error: "CUDA out of memory" }], stepMs: 400, webhook: { drop: true } });
    const res = await postJob(main, user.token, { prompt: "a patient fox" }, { prefer: "wait=20" });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers.get("preference-applied"), "wait=20");
    assert.equal(res.body.status, "failed", res.text);
    assert.equal((await jobEvents(res.body.job_id)).at(-1).source, "poll");
    assert.equal(await balance(user.id), 10, "refunded");
  });

  test("a job still running when the wait is over: the usual answer, no Preference-Applied", async () => {
    const user = await newUser(auth);
    runpod.script({ steps: ["IN_QUEUE", "IN_PROGRESS"] });
    const res = await postJob(main, user.token, { prompt: "a slow fox" }, { prefer: "wait=1" });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers.get("preference-applied"), null);
    assert.equal(res.body.status, "submitted", res.text);
    assert.ok(res.body.provider_job_id);
    assert.ok(["submitted", "running"].includes((await jobRow(res.body.job_id)).status));
  });

  test("Prefer without a usable wait changes nothing", async () => {
    const user = await newUser(auth);
    for (const prefer of ["respond-async", "wait=soon", "wait=0"]) {
      runpod.script({ steps: ["IN_QUEUE"] });
      const res = await postJob(main, user.token, { prompt: "a fox" }, { prefer });
      assert.equal(res.status, 200, `${prefer}: ${res.text}`);
      assert.equal(res.headers.get("preference-applied"), null);
      assert.equal(res.body.status, "submitted");
    }
  });
});
