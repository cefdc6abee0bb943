// GET /jobs/:id/events read by a real client: the `eventsource` npm package (WHATWG EventSource,
// with the Authorization header through its `fetch` option), against the Worker in workerd, real
// PostgreSQL and the RunPod stand-in (harness/jobs.mjs). Shows a stream from open to close, a
// resume with Last-Event-ID, and that a client going away leaves no task behind in the core.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { EventSource } from "eventsource";
import { call, newUser } from "./harness/http.mjs";
import { useJobsRig, ADMIN, auth, db, runpod, main, submittedJob, waitFor } from "./harness/jobs.mjs";

useJobsRig();

/**
 * An EventSource on a job's events, sending `token` with every connection; `lastEventId` is sent
 * on the first one as a client resuming from an earlier stream would (EventSource itself sends
 * the id it last saw on reconnecting, which then wins).
 */
function eventSource(jobId, token, lastEventId) {
  return new EventSource(new URL(`/jobs/${jobId}/events`, main.url), {
    fetch: (input, init) => {
      const headers = { ...(lastEventId ? { "Last-Event-ID": lastEventId } : {}), ...init.headers };
      return fetch(input, { ...init, headers: { ...headers, authorization: `Bearer ${token}` } });
    },
  });
}

/** Every `status` event of `source` as {id, job}, and a promise of the source closing for good. */
function collect(source) {
  const seen = [];
  source.addEventListener("status", (event) => seen.push({ id: event.lastEventId, job: JSON.parse(event.data) }));
  const closed = new Promise((resolve) => {
    source.addEventListener("error", () => {
      if (source.readyState === EventSource.CLOSED) resolve();
    });
  });
  return { seen, closed };
}

async function eventIds(jobId) {
  const rows = await db.sql`select id from public.job_events where job_id = ${jobId} order by id`;
  return rows.map((row) => String(row.id));
}

async function liveTasks() {
  const res = await call(main, "/health?deep=1", { token: ADMIN });
  assert.equal(res.status, 200, res.text);
  return res.body.live_tasks;
}

const video = () => {
  const bytes = crypto.randomBytes(2048);
  return { bytes, url: runpod.serveFile(`${crypto.randomUUID()}.mp4`, bytes, "video/mp4") };
};

describe("GET /jobs/:id/events", () => {
  test("a stream from open to close: each status once, progress between, the finished job with its outputs last", async () => {
    const file = video();
    const { user, jobId } = await submittedJob({
      steps: [
        "IN_QUEUE",
        { status: "IN_PROGRESS", output: "step 1 of 2" },
        { status: "IN_PROGRESS", output: "step 2 of 2" },
        { status: "COMPLETED", output: { video_url: file.url } },
      ],
      stepMs: 1500,
    });
    const source = eventSource(jobId, user.token);
    const { seen, closed } = collect(source);
    const progress = [];
    source.addEventListener("progress", (event) => progress.push(JSON.parse(event.data)));
    // After the last event the Worker closes the stream; EventSource reconnects with the last id
    // and is told (204) there is nothing more, which closes it for good.
    await closed;
    const statuses = seen.map((event) => event.job.status);
    assert.equal(statuses.at(-1), "completed", JSON.stringify(statuses));
    assert.equal(new Set(statuses).size, statuses.length, `no status twice: ${statuses}`);
    assert.ok(statuses.length >= 2, `saw the job move: ${statuses}`);
    const last = seen.at(-1).job;
    assert.equal(last.job_id, jobId);
    assert.equal(last.outputs.length, 1);
    assert.equal(last.outputs[0].size, file.bytes.length);
    assert.ok(last.outputs[0].url, "a signed download link, as GET /jobs/:id shows");
    assert.ok(progress.some((event) => event.result?.output === "step 2 of 2"), JSON.stringify(progress));
    for (const event of progress) assert.equal(event.job_id, jobId);
    const ids = await eventIds(jobId);
    assert.equal(seen.at(-1).id, ids.at(-1), "the last event's id is the job's last job_event");
    for (const event of seen) assert.ok(ids.includes(event.id), `${event.id} is a job_event of the job`);
  });

  test("resume with Last-Event-ID: only what was missed; with the last id, 204", async () => {
    const { user, jobId } = await submittedJob({ steps: ["IN_QUEUE", { status: "FAILED", error: "no GPU" }], stepMs: 300 });
    await waitFor("the job to fail", async () => (await call(main, `/jobs/${jobId}`, { token: user.token })).body?.status === "failed", 10000);
    const ids = await eventIds(jobId);
    assert.ok(ids.length >= 2);

    const source = eventSource(jobId, user.token, ids.at(-2));
    const { seen, closed } = collect(source);
    await closed;
    assert.deepEqual(seen.map((event) => [event.id, event.job.status]), [[ids.at(-1), "failed"]]);

    const done = await call(main, `/jobs/${jobId}/events`, { token: user.token, headers: { "last-event-id": ids.at(-1) } });
    assert.equal(done.status, 204);
    assert.equal(done.text, "");
  });

  test("a client that goes away leaves no live task behind", async () => {
    const { user, jobId } = await submittedJob({ steps: ["IN_QUEUE", "IN_PROGRESS"] });
    const idle = await liveTasks();
    const source = eventSource(jobId, user.token);
    const first = new Promise((resolve) => source.addEventListener("status", resolve, { once: true }));
    await first;
    assert.equal(await liveTasks(), idle + 1, "the stream's task is alive while the client reads");
    source.close();
    await waitFor("the stream's task to end", async () => (await liveTasks()) === idle, 5000);
  });

  test("someone else's job is 404, no token 401", async () => {
    const { jobId } = await submittedJob({ steps: ["IN_QUEUE"] });
    const stranger = await newUser(auth);
    assert.equal((await call(main, `/jobs/${jobId}/events`, { token: stranger.token })).status, 404);
    assert.equal((await call(main, `/jobs/${jobId}/events`)).status, 401);
  });
});
