// Usage-priced models (issue 23, docs/models.md "Usage-priced models"): a job reserves its price
// with every meter at its bound and, completed, costs what its provider reported; the unused
// part is given back once under its own ledger key (settle:<job_id>), also when the webhook,
// polls and the cron sweep race to finish it. GET /jobs/:id and the list show it as
// `charged_credits`. Real Worker, real PostgreSQL, the Replicate stand-in, whose prediction
// metrics are the report; after every test, balance = sum(ledger) (harness/ledger.mjs).

import { after, afterEach, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { call, newUser } from "./harness/http.mjs";
import { PROMPT } from "./harness/inputs.mjs";
import { startReplicateRig } from "./harness/provider-rig.mjs";
import { assertLedgerInvariant } from "./harness/ledger.mjs";

/** A language model: 1 credit a job, 2 per 1,000 output tokens up to max_tokens, 0.5 per
 *  1,000 input tokens up to 2,000. At the default max_tokens (1,000) it reserves 1 + 2 + 1 = 4. */
const CHAT = {
  provider: "replicate",
  provider_model: "meta/meta-llama-3-8b-instruct",
  content_type: "text",
  input_schema: {
    type: "object", required: ["prompt"], additionalProperties: false,
    properties: { prompt: PROMPT, max_tokens: { type: "integer", minimum: 1, maximum: 4000, default: 1000 } },
  },
  pricing: {
    base: 1,
    usage: {
      output_tokens: { per_1000: 2, at_most: "max_tokens" },
      input_tokens: { per_1000: 0.5, at_most: 2000 },
    },
  },
  enabled: true,
};
const RESERVED = 4;
/** 120 output and 9 input tokens: 1 + 0.24 + 0.0045, charged 2. */
const METRICS = { input_token_count: 9, output_token_count: 120, predict_time: 1.5 };
const SETTLED = 2;

let rig;
let model;

before(async () => {
  rig = await startReplicateRig({ prefix: "ag_usage" });
  model = `chat-${crypto.randomUUID().slice(0, 8)}`;
  const res = await call(rig.worker, `/admin/models/${model}`, { method: "PUT", token: rig.admin, body: CHAT });
  assert.equal(res.status, 201, res.text);
});

after(async () => {
  await rig?.close();
});

afterEach(async () => {
  await assertLedgerInvariant(rig.db.sql);
});

/** A new user's job on the chat model, accepted by Replicate: {user, jobId, prediction}. */
async function submitted(input = undefined) {
  const user = await newUser(rig.auth);
  const res = await call(rig.worker, "/jobs", { method: "POST", token: user.token, body: { model, prompt: "a haiku", input } });
  assert.equal(res.status, 200, res.text);
  const prediction = rig.replicate.predictions.get(res.body.provider_job_id);
  assert.ok(prediction, res.text);
  return { user, jobId: res.body.job_id, prediction, answer: res.body };
}

/** A text output the prediction made. */
const output = (prediction) => [rig.replicate.serveFile(`${prediction.id}.txt`, Buffer.from("old pond"), "text/plain")];

const ledger = async (jobId) =>
  (await rig.db.sql`select kind, delta::int, idempotency_key from public.credit_ledger
                    where job_id = ${jobId}::uuid order by id`).map((row) => ({ ...row }));

const view = async (user, jobId) => (await call(rig.worker, `/jobs/${jobId}`, { token: user.token })).body;

describe("a usage-priced job", () => {
  test("reserves the most its inputs allow and, completed, gives back what it did not use, once", async () => {
    const user = await newUser(rig.auth);
    const quoted = await call(rig.worker, "/jobs/estimate", { method: "POST", token: user.token, body: { model, prompt: "a haiku" } });
    assert.equal(quoted.body.cost_credits, RESERVED, quoted.text);

    const { user: owner, jobId, prediction, answer } = await submitted();
    assert.equal(answer.cost_credits, RESERVED);
    assert.equal(answer.balance, 10 - RESERVED);
    assert.deepEqual(prediction.input, { prompt: "a haiku", max_tokens: 1000 });
    const open = await view(owner, jobId);
    assert.equal(open.charged_credits, null, "nothing is charged for good while the job runs");

    const hook = await rig.replicate.finish(prediction.id, { status: "succeeded", output: output(prediction), metrics: METRICS });
    assert.equal(hook.status, 200, JSON.stringify(hook));
    const done = await view(owner, jobId);
    assert.equal(done.status, "completed", JSON.stringify(done));
    assert.equal(done.cost_credits, RESERVED);
    assert.equal(done.charged_credits, SETTLED);
    assert.equal(await rig.balance(owner.id), 10 - SETTLED);
    assert.deepEqual(await ledger(jobId), [
      { kind: "reserve", delta: -RESERVED, idempotency_key: `reserve:${jobId}` },
      { kind: "refund", delta: RESERVED - SETTLED, idempotency_key: `settle:${jobId}` },
    ]);

    // the webhook again, and an admin's refund of the whole job, give back only what it still holds
    const again = await rig.replicate.deliver(prediction.id);
    assert.equal(again.status, 200, JSON.stringify(again));
    const [{ refunded }] = await rig.db.sql`select public.refund_job(${jobId}::uuid, 'admin refund') as refunded`;
    assert.equal(Number(refunded), SETTLED);
    assert.equal(await rig.balance(owner.id), 10);
    const list = await call(rig.worker, "/jobs", { token: owner.token });
    assert.equal(list.body.jobs[0].charged_credits, 0, list.text);
  });

  test("webhook, polls and the cron sweep race to complete it: one settlement", async () => {
    const { user, jobId, prediction } = await submitted({ max_tokens: 4000 }); // 1 + 8 + 1 = 10
    assert.equal(await rig.balance(user.id), 0);
    await rig.replicate.finish(prediction.id, { status: "succeeded", output: output(prediction), metrics: METRICS },
                               { deliver: false });
    // the sweep polls open jobs untouched for a while: make this one look forgotten
    await rig.db.sql`update public.jobs set updated_at = now() - interval '1 hour' where id = ${jobId}::uuid`;
    const [first, second, cron, ...views] = await Promise.all([
      rig.replicate.deliver(prediction.id),
      rig.replicate.deliver(prediction.id),
      rig.worker.scheduled(),
      view(user, jobId),
      view(user, jobId),
    ]);
    assert.equal(cron.outcome, "ok", JSON.stringify(cron));
    for (const hook of [first, second]) assert.equal(hook.status, 200, JSON.stringify(hook));
    for (const seen of views) assert.ok(["submitted", "completed"].includes(seen.status), JSON.stringify(seen));
    const done = await view(user, jobId);
    assert.equal(done.status, "completed");
    assert.equal(done.charged_credits, SETTLED);
    const settlements = (await ledger(jobId)).filter((e) => e.idempotency_key.startsWith("settle:"));
    assert.deepEqual(settlements, [{ kind: "refund", delta: 10 - SETTLED, idempotency_key: `settle:${jobId}` }]);
    assert.equal(await rig.balance(user.id), 10 - SETTLED);
  });

  test("a report above a meter's bound counts at the bound; no report keeps the reservation", async () => {
    const over = await submitted({ max_tokens: 100 }); // 1 + 0.2 + 1 = 2.2, reserved 3
    await rig.replicate.finish(over.prediction.id, {
      status: "succeeded", output: output(over.prediction), metrics: { input_token_count: 9, output_token_count: 99999 },
    });
    // 1 + 0.2 (100 tokens, not 99,999) + 0.0045 (9 input tokens): 2; uncapped it would be the
    // whole reservation
    assert.equal((await view(over.user, over.jobId)).charged_credits, 2);
    assert.equal(await rig.balance(over.user.id), 8);

    const silent = await submitted();
    await rig.replicate.finish(silent.prediction.id, { status: "succeeded", output: output(silent.prediction) });
    assert.equal((await view(silent.user, silent.jobId)).charged_credits, RESERVED);
    assert.deepEqual((await ledger(silent.jobId)).map((e) => e.kind), ["reserve"]);
  });

  test("settles by the terms it was priced with, whatever the model became since", async () => {
    const { user, jobId, prediction } = await submitted();
    const dearer = structuredClone(CHAT);
    dearer.pricing.usage.output_tokens.per_1000 = 50;
    const changed = await call(rig.worker, `/admin/models/${model}`, { method: "PUT", token: rig.admin, body: dearer });
    try {
      assert.equal(changed.status, 200, changed.text);
      await rig.replicate.finish(prediction.id, { status: "succeeded", output: output(prediction), metrics: METRICS });
      assert.equal((await view(user, jobId)).charged_credits, SETTLED);
    } finally {
      const restored = await call(rig.worker, `/admin/models/${model}`, { method: "PUT", token: rig.admin, body: CHAT });
      assert.equal(restored.status, 200, restored.text);
    }
  });

  test("a failed one is refunded whole and charged nothing; a settled price cannot be negative", async () => {
    const { user, jobId, prediction } = await submitted();
    await rig.replicate.finish(prediction.id, { status: "failed", error: "out of memory", metrics: METRICS });
    const failed = await view(user, jobId);
    assert.equal(failed.status, "failed");
    assert.equal(failed.charged_credits, 0);
    assert.equal(await rig.balance(user.id), 10);

    const open = await submitted();
    await assert.rejects(
      rig.db.sql`select * from public.transition_job(${open.jobId}::uuid, 'completed', '{}'::jsonb, null, null, null, -1)`,
      /settled price/,
    );
    assert.equal((await rig.jobRow(open.jobId)).status, "submitted");
  });
});
