// What POST /jobs, the completing RunPod webhook and GET /jobs/:id of a finished job send to
// PostgreSQL: statements and protocol round trips, counted by harness/pg-counter.mjs between
// `main` and the database.
// Uses the rig of harness/jobs.mjs (real PostgreSQL, the RunPod and Supabase Auth stand-ins, the
// Worker in workerd); after each test, balance = sum(ledger) for every user.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { call, newUser } from "./harness/http.mjs";
import {
  useJobsRig, counter, auth, runpod, main, postJob, getJob, runRequests, statusCalls, webhookOf, submittedJob, waitFor,
} from "./harness/jobs.mjs";

useJobsRig();

describe("database round trips", () => {
  /** Runs `fn` alone and counts what the Worker sent to PostgreSQL for it, including the
   *  background statement `until` matches (a Queue delivers it after the answer, maybe after
   *  the request's own connection has closed). */
  async function measure(fn, { until } = {}) {
    await runpod.webhooksSettled();
    assert.ok(await counter.idle(), "the Worker's database connections did not close");
    const mark = counter.mark();
    const result = await fn();
    if (until) await waitFor(`a statement matching ${until}`, () => counter.since(mark).statements.some((s) => until.test(s)));
    assert.ok(await counter.idle(), "the Worker's database connections did not close");
    return { result, ...counter.since(mark) };
  }
  const short = (statements) => statements.map((s) => s.replace(/\s+/g, " ").slice(0, 60));

  test("POST /jobs: two statements (create_job, transition_job), one round trip each; GET /jobs/:id on a finished job: one, no RunPod call", async (t) => {
    const user = await newUser(auth);
    await submittedJob(null, user); // the welcome grant is behind us (it is in create_job anyway)

    runpod.script({ steps: ["IN_QUEUE"], webhook: { drop: true } });
    const runsBefore = runRequests().length;
    const post = await measure(() => postJob(main, user.token, { prompt: "count my round trips" }));
    assert.equal(post.result.status, 200, post.result.text);
    assert.equal(runRequests().length - runsBefore, 1);
    t.diagnostic(
      `POST /jobs: ${post.statements.length} SQL statements, ${post.roundTrips} protocol round trips, ` +
        `${post.connections} new connection(s): ${JSON.stringify(short(post.statements))}`,
    );
    assert.equal(post.statements.length, 2, JSON.stringify(post.statements));
    assert.equal(post.roundTrips, 2, "one round trip per statement");
    assert.match(post.statements[0], /public\.create_job\(/);
    assert.match(post.statements[1], /public\.transition_job\(/);

    const { job_id: jobId, provider_job_id: providerJobId } = post.result.body;
    await runpod.finish(providerJobId, { status: "COMPLETED", output: {} }); // webhook dropped: sent by hand below
    const token = webhookOf(providerJobId).searchParams.get("token");
    const delivered = await measure(() =>
      call(main, `/webhooks/runpod/${jobId}?token=${token}`, {
        method: "POST",
        body: { ...runpod.view(providerJobId), input: {} },
      }),
      { until: /public\.claim_job_webhooks\(/ }, // the finished job's webhooks, claimed in the background
    );
    assert.equal(delivered.result.status, 200, delivered.result.text);
    assert.equal(delivered.result.body.applied, true, delivered.result.text);
    t.diagnostic(
      `POST /webhooks/runpod (completing): ${delivered.statements.length} SQL statements, ` +
        `${delivered.roundTrips} protocol round trips, ${delivered.connections} new connection(s): ` +
        JSON.stringify(short(delivered.statements)),
    );

    const calls = statusCalls(providerJobId);
    const get = await measure(() => getJob(main, user.token, jobId));
    assert.equal(get.result.status, 200, get.result.text);
    assert.equal(get.result.body.status, "completed");
    assert.equal(statusCalls(providerJobId), calls, "no RunPod call");
    t.diagnostic(
      `GET /jobs/:id (finished): ${get.statements.length} SQL statements, ${get.roundTrips} protocol round trips, ` +
        `${get.connections} new connection(s): ${JSON.stringify(short(get.statements))}`,
    );
    assert.equal(get.statements.length, 1, JSON.stringify(get.statements));
    assert.equal(get.roundTrips, 1, "one round trip per statement");
    assert.match(get.statements[0], /from public\.jobs where id = \$1/);
  });
});
