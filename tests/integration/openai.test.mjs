// Jobs on OpenAI-compatible models, through the real Worker (its Cloudflare Queue run by
// Miniflare) against real PostgreSQL and the OpenAI stand-in: POST /jobs answers 202 queued,
// the Queue consumer claims the job and calls the API; images (b64_json stored into R2 by the
// shim, or URLs copied), speech and chat; a /v1 call runs its job within the request instead,
// usage-settled; a redelivered message runs nothing twice; a refusal,
// a reply over its cap and a failover. After every test, balance = sum(ledger).

import { after, afterEach, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import OpenAIClient from "openai";
import { startWorker } from "./harness/worker.mjs";
import { call, newUser } from "./harness/http.mjs";
import { createTestDatabase } from "./harness/postgres.mjs";
import { startSupabaseAuth } from "./harness/supabase-auth.mjs";
import { PROMPT } from "./harness/inputs.mjs";
import { startOpenAI } from "./harness/openai.mjs";
import { LEDGER_SQL, assertLedgerInvariant } from "./harness/ledger.mjs";

const COST = 2;
const MB = 1024 * 1024;
const OUTPUT_CAP = 8 * MB;

let db;
let auth;
let openai;
let worker;
let admin;
let hsSecret;

before(async () => {
  admin = `admin-${crypto.randomBytes(12).toString("hex")}`;
  hsSecret = crypto.randomBytes(32).toString("hex");
  const key = `sk-test-${crypto.randomBytes(12).toString("hex")}`;
  db = await createTestDatabase({ prefix: "ag_openai" });
  [auth, openai] = await Promise.all([startSupabaseAuth({ hsSecret }), startOpenAI({ key })]);
  worker = await startWorker({
    db: db.url,
    vars: {
      APP_ADMIN_TOKEN: admin,
      SUPABASE_URL: auth.url,
      SUPABASE_JWT_SECRET: hsSecret,
      OPENAI_API_KEY: key,
      OPENAI_API_BASE: openai.url,
      OUTPUT_MAX_BYTES: String(OUTPUT_CAP),
      WELCOME_CREDITS: "10",
      JOBS_PER_HOUR: "1000",
    },
  });
  await db.sql`insert into public.models (id, provider, content_type, pricing, is_default, enabled, provider_model,
                                          input_schema)
               values ('img', 'openai', 'image', ${{ base: COST }}, false, true, 'gpt-image-1', ${IMAGE_INPUTS}),
                      ('tts', 'openai', 'audio', ${{ base: COST }}, false, true, 'tts-1', ${SPEECH_INPUTS}),
                      ('chat', 'openai', 'text', ${{ base: COST }}, false, true, 'gpt-4o-mini', null),
                      ('img-backup', 'openai', 'image', ${{ base: COST }}, false, true, 'dall-e-3', ${IMAGE_INPUTS}),
                      ('chat-metered', 'openai', 'text', ${METERED}, false, true, 'gpt-4o-mini', null)`;
  await db.sql`insert into public.models (id, provider, content_type, pricing, is_default, enabled, provider_model,
                                          fallback_model, input_schema)
               values ('img-primary', 'openai', 'image', ${{ base: COST }}, false, true, 'gpt-image-1', 'img-backup',
                       ${IMAGE_INPUTS})`;
});

after(async () => {
  await worker?.stop();
  await Promise.allSettled([auth?.close(), openai?.close()]);
  await db?.drop();
});

afterEach(async () => {
  await assertLedgerInvariant(db.sql);
});

// --- helpers ------------------------------------------------------------------------------

async function balance(userId) {
  const [row] = await db.sql`select balance from public.credit_balances where user_id = ${userId}::uuid`;
  return Number(row?.balance ?? 0);
}
const events = async (id) =>
  db.sql`select from_status, to_status, detail from public.job_events where job_id = ${id}::uuid order by id`;

// What the models take (issue 23): only these fields reach the API.
const IMAGE_INPUTS = {
  type: "object", required: ["prompt"], additionalProperties: false,
  properties: {
    prompt: PROMPT,
    size: { type: "string", enum: ["1024x1024", "1536x1024"] },
    n: { type: "integer", minimum: 1, maximum: 4 },
    response_format: { type: "string", enum: ["b64_json", "url"] },
  },
};
const SPEECH_INPUTS = {
  type: "object", required: ["prompt"], additionalProperties: false,
  properties: { prompt: PROMPT, voice: { type: "string", enum: ["alloy", "nova"] } },
};

/** 1 credit, and 500 per 1,000 output tokens up to 10: reserves 6; the stand-in's 6 tokens settle at 4. */
const METERED = { base: 1, usage: { output_tokens: { per_1000: 500, at_most: 10 } } };

/** A new user's job on `model`: the 202 answer, then the job once it has ended. */
async function run(model, input = undefined) {
  const user = await newUser(auth);
  const res = await call(worker, "/jobs", { method: "POST", token: user.token, body: { prompt: "a red fox", model, input } });
  assert.equal(res.status, 202, res.text);
  assert.deepEqual(res.body, {
    ok: true, status: "queued", provider: "openai", provider_job_id: null, job_id: res.body.job_id,
    cost_credits: COST, balance: 10 - COST,
  });
  const job = await ended(user, res.body.job_id);
  return { user, answer: res.body, job };
}

/** Polls GET /jobs/:id until the job has ended (the Queue consumer runs it). */
async function ended(user, jobId) {
  for (let i = 0; i < 300; i++) {
    const res = await call(worker, `/jobs/${jobId}`, { token: user.token });
    assert.equal(res.status, 200, res.text);
    if (!["queued", "submitted", "running"].includes(res.body.status)) return res.body;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`job ${jobId} did not end`);
}

async function download(output) {
  const res = await fetch(output.url);
  assert.equal(res.status, 200);
  return Buffer.from(await res.arrayBuffer());
}

async function wasmMemory() {
  const res = await call(worker, "/health?deep=1", { token: admin });
  assert.equal(res.status, 200, res.text);
  return res.body.wasm_memory_bytes;
}

// --- tests --------------------------------------------------------------------------------

describe("a job on an OpenAI-compatible model", () => {
  test("runs on the Queue: an image's b64_json is stored in R2 and downloads as the bytes sent", async () => {
    const { user, answer, job } = await run("img", { size: "1024x1024" });
    assert.equal(job.status, "completed", JSON.stringify(job));
    assert.equal(job.provider, "openai");
    assert.equal(job.run_model, "img");
    assert.equal(job.content_type, "image");
    assert.equal(job.outputs.length, 1);
    assert.equal(job.outputs[0].content_type, "image/png");
    assert.deepEqual(await download(job.outputs[0]), openai.image);
    // the API got only what it takes: its model name, the prompt, the caller's input
    const sent = openai.generations.at(-1);
    assert.equal(sent.path, "/v1/images/generations");
    assert.deepEqual(sent.body, { model: "gpt-image-1", prompt: "a red fox", size: "1024x1024" });
    // the result keeps the reply without its base64
    assert.deepEqual(Object.keys(job.result).sort(), ["created", "data"]);
    assert.deepEqual(job.result.data, [{}]);
    assert.equal(await balance(user.id), 10 - COST);
    const path = (await events(answer.job_id)).map((e) => `${e.from_status ?? "-"}>${e.to_status}:${e.detail.source ?? ""}`);
    assert.deepEqual(path, ["->queued:", "queued>submitted:queue", "submitted>completed:queue"]);
  });

  test("several images are several outputs; URLs (response_format url) are copied into R2", async () => {
    const many = await run("img", { n: 3 });
    assert.equal(many.job.outputs.length, 3);
    assert.deepEqual(many.job.outputs.map((o) => o.key.split("/").at(-1)), ["1.png", "2.png", "3.png"]);
    const linked = await run("img", { response_format: "url" });
    assert.equal(linked.job.status, "completed");
    assert.equal(linked.job.outputs.length, 1);
    assert.deepEqual(await download(linked.job.outputs[0]), openai.image);
  });

  test("speech is stored as the audio the API sent, with its type", async () => {
    const { job } = await run("tts", { voice: "nova" });
    assert.equal(job.status, "completed", JSON.stringify(job));
    assert.equal(job.outputs.length, 1);
    assert.equal(job.outputs[0].content_type, "audio/mpeg");
    assert.match(job.outputs[0].key, /\/1\.mp3$/);
    assert.deepEqual(await download(job.outputs[0]), openai.speech);
    assert.deepEqual(openai.generations.at(-1).body, { model: "tts-1", input: "a red fox", voice: "nova" });
  });

  test("a chat completion's text is the job's output and its result", async () => {
    const { job } = await run("chat");
    assert.equal(job.status, "completed", JSON.stringify(job));
    assert.equal(job.result.choices[0].message.content, openai.reply);
    assert.equal(job.outputs[0].content_type, "text/plain");
    assert.equal((await download(job.outputs[0])).toString(), openai.reply);
    assert.deepEqual(openai.generations.at(-1).body, {
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: "a red fox" }],
    });
  });

  test("a /v1 call runs its job within the request, not on the Queue, and settles the tokens it used", async () => {
    const user = await newUser(auth);
    const key = await call(worker, "/keys", { method: "POST", token: user.token, body: { name: "sdk" } });
    assert.equal(key.status, 201, key.text);
    const client = new OpenAIClient({ apiKey: key.body.secret, baseURL: new URL("/v1", worker.url).href, maxRetries: 0 });
    const completion = await client.chat.completions.create({
      model: "chat-metered", messages: [{ role: "user", content: "a red fox" }],
    });
    assert.equal(completion.choices[0].message.content, openai.reply);
    const path = (await events(completion.job_id)).map((e) => `${e.from_status ?? "-"}>${e.to_status}:${e.detail.source ?? ""}`);
    assert.deepEqual(path, ["->queued:", "queued>submitted:submit", "submitted>completed:submit"]);
    const job = await call(worker, `/jobs/${completion.job_id}`, { token: user.token });
    assert.deepEqual([job.body.cost_credits, job.body.charged_credits], [6, 4]);
    assert.equal(await balance(user.id), 10 - 4);
  });

  test("a multi-MB b64_json image goes around the core: its linear memory stays below the image", async () => {
    const image = crypto.randomBytes(5 * MB);
    openai.image = image;
    try {
      const { job } = await run("img");
      assert.equal(job.status, "completed", JSON.stringify(job.error));
      assert.equal(job.outputs[0].size, image.length);
      assert.deepEqual(await download(job.outputs[0]), image);
      // the base64 reply (6.7 MB) never entered wasm: a core that had held it would have grown past it
      assert.ok((await wasmMemory()) < image.length, "wasm memory grew past the image");
    } finally {
      openai.image = crypto.randomBytes(64);
    }
  });

  test("a reply over OUTPUT_MAX_BYTES fails the job as output_too_large, refunded", async () => {
    openai.image = crypto.randomBytes(OUTPUT_CAP);
    try {
      const { user, job } = await run("img");
      assert.equal(job.status, "failed");
      assert.equal(job.error.code, "output_too_large");
      assert.equal(await balance(user.id), 10);
    } finally {
      openai.image = crypto.randomBytes(64);
    }
  });

  test("a refusal (400) ends the job refunded; the API is asked once", async () => {
    openai.failNext({ status: 400, body: { error: { message: "rejected by the safety system", type: "invalid_request_error", code: "content_policy_violation" } } });
    const before = openai.generations.length;
    const { user, job } = await run("img");
    assert.equal(job.status, "failed");
    assert.equal(job.error.http_status, 400);
    assert.equal(await balance(user.id), 10);
    assert.equal(openai.generations.length, before + 1);
  });

  test("an unreachable model (5xx) fails over to its fallback under the same reservation", async () => {
    openai.failNext({ status: 503 });
    const { user, answer, job } = await run("img-primary");
    assert.equal(job.status, "completed", JSON.stringify(job));
    assert.equal(job.model, "img-primary");
    assert.equal(job.run_model, "img-backup");
    assert.equal(openai.generations.at(-1).body.model, "dall-e-3");
    assert.equal(await balance(user.id), 10 - COST);
    const attempts = (await events(answer.job_id)).filter((e) => e.detail.outcome === "refused");
    assert.equal(attempts.length, 1);
    assert.equal(attempts[0].detail.http_status, 503);
  });

  test("a redelivered message runs nothing twice: the job is claimed once", async () => {
    const { user, answer, job } = await run("img");
    assert.equal(job.status, "completed");
    const before = { calls: openai.generations.length, events: (await events(answer.job_id)).length };
    const queue = await worker.mf.getQueueProducer("JOBS");
    await queue.send({ name: "run_queued_job", job_id: answer.job_id, candidate: 0, base_url: worker.url });
    // a second job after it shows the consumer has run the redelivery (one queue, in order)
    const next = await run("chat");
    assert.equal(next.job.status, "completed");
    assert.equal(openai.generations.length, before.calls + 1, "only the second job called the API");
    assert.equal((await events(answer.job_id)).length, before.events);
    assert.equal(await balance(user.id), 10 - COST);
    assert.ok(worker.logs.some((l) => l.message.includes("queued job already taken") && l.message.includes(answer.job_id)));
  });

  test("the sweep leaves a job on the Queue to its consumer, and errors one never sent", async () => {
    // two admin jobs (free) created an hour ago and still queued: one whose message is on the
    // Queue (a backlog), one whose submission never happened (its Worker died)
    const [onQueue, lost] = [crypto.randomUUID(), crypto.randomUUID()];
    await db.sql`insert into public.jobs (id, status, payload, model, cost_credits, provider, deadline_at,
                                          created_at, updated_at, enqueued_at)
                 values (${onQueue}::uuid, 'queued', '{"prompt":"x"}', 'img', 0, 'openai', now() + interval '1 hour',
                         now() - interval '1 hour', now() - interval '1 hour', now() - interval '1 hour'),
                        (${lost}::uuid, 'queued', '{"prompt":"x"}', 'img', 0, 'openai', now() + interval '1 hour',
                         now() - interval '1 hour', now() - interval '1 hour', null)`;
    const cron = await worker.scheduled();
    assert.equal(cron.outcome, "ok");
    const rows = await db.sql`select id::text, status, updated_at > now() - interval '1 minute' as touched
                              from public.jobs where id in (${onQueue}::uuid, ${lost}::uuid)`;
    const byId = Object.fromEntries(rows.map((r) => [r.id, r]));
    assert.equal(byId[onQueue].status, "queued");
    assert.equal(byId[onQueue].touched, true, "touched, so the next sweeps look at other jobs first");
    assert.equal(byId[lost].status, "error");
    await db.sql`update public.jobs set status = 'cancelled' where id = ${onQueue}::uuid`;
  });

  test("a job still on the Queue is cancelled at once, refunded, and its message then runs nothing", async () => {
    const user = await newUser(auth);
    assert.equal((await call(worker, "/credits", { token: user.token })).body.balance, 10);
    // created and marked as the Worker does, its message not yet taken by the consumer
    const [created] = await db.sql.unsafe(LEDGER_SQL.createJob, [
      user.id, "img", JSON.stringify({ input: { prompt: "x" }, provider_input: { prompt: "x" } }), 1000, 10, null,
      null, null, 600, null, COST, null,
    ]);
    assert.equal(created.outcome, "created");
    await db.sql`select public.enqueue_job(${created.job_id}::uuid, 202, '{}'::jsonb)`;
    assert.equal(await balance(user.id), 10 - COST);

    const cancel = await call(worker, `/jobs/${created.job_id}/cancel`, { method: "POST", token: user.token });
    assert.equal(cancel.status, 200, cancel.text);
    assert.deepEqual(cancel.body, { ok: true, job_id: created.job_id, status: "cancelled", refunded: COST });
    assert.equal(await balance(user.id), 10);
    const calls = openai.generations.length;
    const [{ claimed }] = await db.sql`select claimed from public.claim_queued_job(${created.job_id}::uuid, 'x')`;
    assert.equal(claimed, false, "the consumer's claim finds nothing to run");
    assert.equal(openai.generations.length, calls);
    const path = (await events(created.job_id)).map((e) => `${e.from_status ?? "-"}>${e.to_status}:${e.detail?.source ?? ""}`);
    assert.deepEqual(path, ["->queued:", "queued>cancelled:cancel"]);
  });

  test("Prefer: wait answers the finished job once the Queue has run it", async () => {
    const user = await newUser(auth);
    const res = await call(worker, "/jobs", { method: "POST", token: user.token, headers: { prefer: "wait=30" }, body: { prompt: "now", model: "chat" } });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers.get("preference-applied"), "wait=30");
    assert.equal(res.body.status, "completed");
    assert.equal(res.body.result.choices[0].message.content, openai.reply);
    assert.equal(res.body.outputs.length, 1);
  });

  test("Idempotency-Key replays the 202 without a second job or message", async () => {
    const user = await newUser(auth);
    const key = crypto.randomUUID();
    const send = () =>
      call(worker, "/jobs", { method: "POST", token: user.token, headers: { "idempotency-key": key }, body: { prompt: "once", model: "chat" } });
    const first = await send();
    assert.equal(first.status, 202, first.text);
    const job = await ended(user, first.body.job_id);
    const again = await send();
    assert.equal(again.status, 202);
    assert.equal(again.headers.get("idempotent-replayed"), "true");
    assert.deepEqual(again.body, first.body);
    assert.equal(job.status, "completed");
    assert.equal(await balance(user.id), 10 - COST);
  });
});

describe("without OPENAI_API_KEY", () => {
  test("an openai model is 400 model_unavailable with nothing charged", async () => {
    const bare = await startWorker({
      db: db.url,
      vars: { SUPABASE_URL: auth.url, SUPABASE_JWT_SECRET: hsSecret, WELCOME_CREDITS: "10", JOBS_PER_HOUR: "1000" },
    });
    try {
      const user = await newUser(auth);
      const res = await call(bare, "/jobs", { method: "POST", token: user.token, body: { prompt: "x", model: "chat" } });
      assert.equal(res.status, 400, res.text);
      assert.equal(res.body.error, "model_unavailable");
      assert.equal((await db.sql`select count(*)::int as n from public.jobs where user_id = ${user.id}::uuid`)[0].n, 0);
    } finally {
      await bare.stop();
    }
  });
});
