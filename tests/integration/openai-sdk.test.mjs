// The OpenAI-compatible /v1 (issue 24), driven by the official `openai` npm client with an API
// key, against the real Worker on real PostgreSQL and the local generation server
// (scripts/local-gen) as its RunPod and its OpenAI: images (links to real PNGs, or inline as
// b64_json), speech (a real WAV), chat, and chat streamed token by token as the provider writes
// it (the job recorded and charged by its usage at the end; failed and refunded when the
// provider fails mid-stream; cancelled and refunded when the client goes away);
// an exhausted balance surfaces as the client's own RateLimitError (insufficient_quota) and is
// not retried; a slow job answers 504 with its job id, not retried; a client that times out
// and retries with its Idempotency-Key makes one job. After each test, balance = sum(ledger).

import { after, afterEach, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import crypto from "node:crypto";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import OpenAI from "openai";
import { call, newUser } from "./harness/http.mjs";
import { closedPort } from "./harness/loopback-server.mjs";
import { assertLedgerInvariant } from "./harness/ledger.mjs";
import { createTestDatabase } from "./harness/postgres.mjs";
import { startSupabaseAuth } from "./harness/supabase-auth.mjs";
import { startWorker } from "./harness/worker.mjs";

const SERVER = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../scripts/local-gen/server.mjs");
const HS_SECRET = "openai-sdk-test-jwt-secret-of-32-characters";
const STEP_MS = 20;
const STEPS = { type: "integer", minimum: 1, maximum: 1000, default: 2 };
const PROMPT = { type: "string", minLength: 1, maxLength: 4000 };

let db;
let auth;
let localGen;
let worker;
let hurried; // the same, waiting at most 2 s for a job; 2 text jobs a minute, 3 others an hour

async function startLocalGen() {
  const port = await closedPort();
  const child = spawn(process.execPath, [SERVER, "--port", String(port), "--step-ms", String(STEP_MS)], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  await new Promise((resolve, reject) => {
    child.stdout.once("data", resolve);
    child.once("exit", (code) => reject(new Error(`local-gen exited with ${code}`)));
  });
  // What it says it did (a chat streamed to its end, a client gone): the tests read the order.
  const lines = [];
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (text) => lines.push(...text.split("\n").filter(Boolean)));
  return { url: `http://127.0.0.1:${port}`, child, lines };
}

before(async () => {
  db = await createTestDatabase({ prefix: "ag_v1" });
  [auth, localGen] = await Promise.all([startSupabaseAuth({ hsSecret: HS_SECRET }), startLocalGen()]);
  const schema = (extra = {}) => ({
    type: "object", required: ["prompt"], additionalProperties: false,
    properties: { prompt: PROMPT, steps: STEPS, ...extra },
  });
  await db.sql`insert into public.models (id, provider, content_type, is_default, enabled, endpoint_id, input_schema, pricing)
    values ('local-text', 'runpod', 'text', false, true, 'local-text', ${schema({ max_tokens: { type: "integer", minimum: 1, maximum: 4096 } })}, ${{ base: 1 }}),
           ('local-image', 'runpod', 'image', false, true, 'local-image', ${schema()}, ${{ base: 2 }}),
           ('local-audio', 'runpod', 'audio', false, true, 'local-audio',
            ${schema({ voice: { type: "string", enum: ["alloy", "verse"] } })}, ${{ base: 1 }}),
           ('dear-image', 'runpod', 'image', false, true, 'local-image', ${schema()}, ${{ base: 50 }}),
           ('disabled-image', 'runpod', 'image', false, false, 'local-image', ${schema()}, ${{ base: 1 }})`;
  // An OpenAI-compatible chat, the local generation server's, priced by the tokens it writes.
  const chatInputs = {
    max_tokens: { type: "integer", minimum: 1, maximum: 4096, default: 64 },
    token_ms: { type: "integer", minimum: 0, maximum: 2000 },
    fail_after_tokens: { type: "integer", minimum: 0 },
  };
  await db.sql`insert into public.models (id, provider, content_type, is_default, enabled, provider_model, input_schema, pricing)
    values ('local-chat', 'openai', 'text', false, true, 'local-chat', ${schema(chatInputs)},
            ${{ base: 1, usage: { output_tokens: { per_1000: 100, at_most: "max_tokens" } } }})`;
  const vars = {
    SUPABASE_URL: auth.url,
    SUPABASE_JWT_SECRET: HS_SECRET,
    APP_ADMIN_TOKEN: "admin-token-for-the-v1-tests",
    RUNPOD_API_KEY: "any-key",
    RUNPOD_API_BASE: localGen.url,
    RUNPOD_ENDPOINT_ID: "local-image",
    OPENAI_API_KEY: "any-key",
    OPENAI_API_BASE: `${localGen.url}/v1`,
    WELCOME_CREDITS: "10",
    JOBS_PER_HOUR: "1000",
  };
  [worker, hurried] = await Promise.all([
    startWorker({ db: db.url, vars }),
    startWorker({ db: db.url, vars: { ...vars, V1_WAIT_SECONDS: "2", TEXT_REQUESTS_PER_MINUTE: "2", JOBS_PER_HOUR: "3" } }),
  ]);
});

after(async () => {
  await Promise.allSettled([worker?.stop(), hurried?.stop()]);
  localGen?.child.kill("SIGTERM");
  await auth?.close();
  await db?.drop();
});

afterEach(async () => {
  await assertLedgerInvariant(db.sql);
});

/** A new user with an API key, and an OpenAI client on `target`'s /v1 with that key. */
async function client(target = worker, options = {}) {
  const user = await newUser(auth);
  const key = await call(worker, "/keys", { method: "POST", token: user.token, body: { name: "sdk" } });
  assert.equal(key.status, 201, key.text);
  const openai = new OpenAI({ apiKey: key.body.secret, baseURL: new URL("/v1", target.url).href, maxRetries: 2, ...options });
  return { user, openai };
}

const balance = async (userId) =>
  Number((await db.sql`select balance from public.credit_balances where user_id = ${userId}::uuid`)[0]?.balance ?? 0);
const jobsOf = (userId) => db.sql`select id, status, model from public.jobs where user_id = ${userId}::uuid`;

describe("the official openai client against /v1", () => {
  test("lists the models", async () => {
    const { openai } = await client();
    const ids = [];
    for await (const model of openai.models.list()) ids.push(model.id);
    for (const id of ["dear-image", "local-audio", "local-image", "local-text"]) assert.ok(ids.includes(id), id);
    assert.ok(!ids.includes("disabled-image"), "only enabled models");
  });

  test("generates an image: a signed link to a real PNG, charged as a job", async () => {
    const { user, openai } = await client();
    const answer = await openai.images.generate({ model: "local-image", prompt: "a red fox in the snow", n: 1 });
    assert.equal(answer.data.length, 1);
    const png = Buffer.from(await (await fetch(answer.data[0].url)).arrayBuffer());
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    assert.equal(await balance(user.id), 8);
    const [job] = await jobsOf(user.id);
    assert.deepEqual({ status: job.status, model: job.model, id: job.id }, { status: "completed", model: "local-image", id: answer.job_id });
  });

  test("b64_json: the image inline, the same bytes its link serves", async () => {
    const { user, openai } = await client();
    const answer = await openai.images.generate({ model: "local-image", prompt: "a blue heron", response_format: "b64_json" });
    assert.equal(answer.data.length, 1);
    const png = Buffer.from(answer.data[0].b64_json, "base64");
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const view = await call(worker, `/jobs/${answer.job_id}`, { token: user.token });
    const linked = Buffer.from(await (await fetch(view.body.outputs[0].url)).arrayBuffer());
    assert.ok(png.equals(linked), "the inline image is the stored file");
    assert.equal(await balance(user.id), 8);
  });

  test("speaks: the answer is a real WAV", async () => {
    const { user, openai } = await client();
    const speech = await openai.audio.speech.create({ model: "local-audio", input: "hello there", voice: "alloy" });
    const wav = Buffer.from(await speech.arrayBuffer());
    assert.equal(wav.subarray(0, 4).toString("latin1"), "RIFF");
    assert.equal(wav.subarray(8, 12).toString("latin1"), "WAVE");
    assert.equal(await balance(user.id), 9);
  });

  test("chats: the job's text is the assistant's message", async () => {
    const { user, openai } = await client();
    const completion = await openai.chat.completions.create({
      model: "local-text", messages: [{ role: "user", content: "write a haiku about the sea" }], max_tokens: 64,
    });
    assert.equal(completion.object, "chat.completion");
    const [job] = await jobsOf(user.id);
    const view = await call(worker, `/jobs/${job.id}`, { token: user.token });
    const text = await (await fetch(view.body.outputs[0].url)).text();
    assert.ok(text.length > 0);
    assert.equal(completion.choices[0].message.content, text);
    assert.equal(completion.choices[0].message.role, "assistant");
  });

  test("chats with stream: true: the client's chunks add up to the job's text, usage last", async () => {
    const { user, openai } = await client();
    const stream = await openai.chat.completions.create({
      model: "local-text", messages: [{ role: "user", content: "a haiku about rain" }], max_tokens: 64,
      stream: true, stream_options: { include_usage: true },
    });
    let text = "";
    const chunks = [];
    for await (const chunk of stream) {
      chunks.push(chunk);
      text += chunk.choices[0]?.delta?.content ?? "";
    }
    assert.ok(chunks.every((chunk) => chunk.object === "chat.completion.chunk"));
    assert.equal(chunks[0].choices[0].delta.role, "assistant");
    assert.equal(chunks.at(-2).choices[0].finish_reason, "stop");
    assert.deepEqual(chunks.at(-1).choices, []);
    assert.ok("usage" in chunks.at(-1), "include_usage asks for a last chunk with usage");
    const [job] = await jobsOf(user.id);
    assert.equal(chunks[0].job_id, job.id);
    const view = await call(worker, `/jobs/${job.id}`, { token: user.token });
    assert.equal(text, await (await fetch(view.body.outputs[0].url)).text());
    assert.equal(await balance(user.id), 9);
  });

  test("streams token by token: the first chunk arrives while the provider is still writing", async () => {
    const { user, openai } = await client();
    const prompt = "a lighthouse keeper's evening";
    const stream = await openai.chat.completions.create({
      model: "local-chat", messages: [{ role: "user", content: prompt }], stream: true,
      stream_options: { include_usage: true }, token_ms: 100,
    });
    const chunks = [];
    let finishedBeforeFirstText;
    for await (const chunk of stream) {
      chunks.push(chunk);
      if (finishedBeforeFirstText === undefined && chunk.choices[0]?.delta?.content) {
        finishedBeforeFirstText = localGen.lines.some((line) => line.includes(`chat `) && line.includes(" streamed "));
      }
    }
    assert.equal(finishedBeforeFirstText, false, "the first words came before the provider had written the last");
    const text = chunks.map((chunk) => chunk.choices[0]?.delta?.content ?? "").join("");
    const pieces = chunks.filter((chunk) => chunk.choices[0]?.delta?.content);
    assert.ok(pieces.length > 10, `token by token, not in one piece (${pieces.length} pieces)`);
    assert.match(text, new RegExp(`^Prompt: ${prompt}\\n`));
    const [job] = await jobsOf(user.id);
    assert.ok(chunks.every((chunk) => chunk.id === `chatcmpl-${job.id}` && chunk.model === "local-chat"));
    assert.equal(chunks.at(-2).choices[0].finish_reason, "stop");
    const usage = chunks.at(-1).usage;
    assert.deepEqual(chunks.at(-1).choices, []);
    assert.equal(usage.completion_tokens, pieces.length);

    // The job as the non-streamed path records it: completed, its text the output, its usage
    // charged (1 + 0.1 a token) and the rest of its reservation given back.
    assert.equal(job.status, "completed");
    const view = await call(worker, `/jobs/${job.id}`, { token: user.token });
    assert.equal(await (await fetch(view.body.outputs[0].url)).text(), text);
    const [{ net, reserved }] = await db.sql`select sum(l.delta)::int as net, j.cost_credits as reserved
      from public.credit_ledger l join public.jobs j on j.id = l.job_id where l.job_id = ${job.id}::uuid group by j.cost_credits`;
    assert.equal(-net, Math.ceil(1 + usage.completion_tokens / 10));
    assert.ok(-net < reserved, `settled below its reservation of ${reserved}`);
    assert.equal(await balance(user.id), 10 + net);
  });

  test("a provider failing mid-stream: the client raises its error, the job failed and refunded", async () => {
    const { user, openai } = await client();
    const stream = await openai.chat.completions.create({
      model: "local-chat", messages: [{ role: "user", content: "a storm" }], stream: true, fail_after_tokens: 3,
    });
    let text = "";
    await assert.rejects(async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? "";
    }, (err) => {
      assert.ok(err instanceof OpenAI.APIError, String(err));
      assert.equal(err.code, "generation_failed");
      return true;
    });
    assert.ok(text.length > 0, "the words before the failure arrived");
    const [job] = await jobsOf(user.id);
    assert.equal(job.status, "failed");
    assert.equal(await balance(user.id), 10);
  });

  test("a client that goes away mid-stream: the provider's stream is dropped, the job cancelled and refunded", async () => {
    const { user, openai } = await client();
    const stream = await openai.chat.completions.create({
      model: "local-chat", messages: [{ role: "user", content: "a long walk home" }], stream: true, token_ms: 200,
    });
    let pieces = 0;
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta?.content && ++pieces === 2) break; // leaving the loop aborts the request
    }
    let job;
    for (let tries = 0; tries < 100; tries++) {
      [job] = await jobsOf(user.id);
      if (job.status !== "submitted") break;
      await sleep(100);
    }
    assert.equal(job.status, "cancelled");
    assert.equal(await balance(user.id), 10);
    for (let tries = 0; tries < 100 && !localGen.lines.some((line) => line.includes("the client went away")); tries++) {
      await sleep(100);
    }
    assert.ok(localGen.lines.some((line) => line.includes("the client went away")), "the provider saw its client go");
  });

  test("an exhausted balance is the client's RateLimitError (insufficient_quota), not retried, nothing charged", async () => {
    const { user, openai } = await client();
    await assert.rejects(openai.images.generate({ model: "dear-image", prompt: "a costly fox" }), (err) => {
      assert.ok(err instanceof OpenAI.RateLimitError, String(err));
      assert.equal(err.status, 429);
      assert.equal(err.code, "insufficient_quota");
      assert.equal(err.type, "insufficient_quota");
      assert.equal(err.headers.get("x-should-retry"), "false");
      return true;
    });
    assert.equal(await balance(user.id), 10);
    assert.equal((await jobsOf(user.id)).length, 0);
  });

  test("refusals are in OpenAI's shape: a parameter the model does not take, a bad key", async () => {
    const { openai } = await client();
    await assert.rejects(openai.images.generate({ model: "local-image", prompt: "x", size: "1024x1024" }), (err) => {
      assert.ok(err instanceof OpenAI.BadRequestError, String(err));
      assert.equal(err.code, "invalid_input");
      assert.match(err.message, /size/);
      return true;
    });
    const stranger = new OpenAI({ apiKey: `ag_live_${"0".repeat(40)}`, baseURL: new URL("/v1", worker.url).href, maxRetries: 0 });
    await assert.rejects(stranger.models.list(), (err) => err instanceof OpenAI.AuthenticationError);
  });

  test("a job slower than V1_WAIT_SECONDS answers 504 with its id, and the client does not retry it", async () => {
    const { user, openai } = await client(hurried);
    const slow = { model: "local-image", prompt: "a slow fox", steps: 300 }; // 300 × 20 ms = 6 s
    await assert.rejects(openai.images.generate(slow), (err) => {
      assert.equal(err.status, 504, String(err));
      assert.equal(err.code, "job_still_running");
      assert.equal(err.headers.get("x-should-retry"), "false");
      return true;
    });
    const jobs = await jobsOf(user.id);
    assert.equal(jobs.length, 1, "one job for one call");
    assert.equal(await balance(user.id), 8);
  });

  test("text has a per-minute limit of its own, apart from the hourly one of other jobs", async () => {
    const { user, openai } = await client(hurried, { maxRetries: 0 });
    const chat = () => openai.chat.completions.create({ model: "local-text", messages: [{ role: "user", content: "hi" }] });
    await chat();
    await chat();
    await assert.rejects(chat(), (err) => {
      assert.ok(err instanceof OpenAI.RateLimitError, String(err));
      assert.equal(err.code, "rate_limited");
      assert.equal(err.headers.get("x-should-retry"), "true");
      assert.ok(Number(err.headers.get("retry-after")) <= 60);
      return true;
    });
    // the two text jobs take nothing from the hourly limit of images (3)
    for (let i = 0; i < 3; i++) await openai.images.generate({ model: "local-image", prompt: `fox ${i}` });
    await assert.rejects(openai.images.generate({ model: "local-image", prompt: "one too many" }), (err) => {
      assert.ok(err instanceof OpenAI.RateLimitError, String(err));
      assert.ok(Number(err.headers.get("retry-after")) > 60);
      return true;
    });
    assert.equal((await jobsOf(user.id)).length, 5);
  });

  test("a client that times out and retries with its Idempotency-Key makes one job", async () => {
    const { user, openai } = await client(worker, { timeout: 400 });
    const key = crypto.randomUUID();
    const slow = { model: "local-image", prompt: "a patient fox", steps: 150 }; // 3 s
    await assert.rejects(openai.images.generate(slow, { headers: { "Idempotency-Key": key } }), (err) => {
      assert.ok(err instanceof OpenAI.APIConnectionTimeoutError, String(err));
      return true;
    });
    // the job goes on without the client; once it ends, the same call answers it
    for (let i = 0; i < 100 && (await jobsOf(user.id)).some((j) => j.status !== "completed"); i++) await sleep(100);
    const patient = new OpenAI({ apiKey: openai.apiKey, baseURL: openai.baseURL, maxRetries: 0 });
    const answer = await patient.images.generate(slow, { headers: { "Idempotency-Key": key } });
    const jobs = await jobsOf(user.id);
    assert.equal(jobs.length, 1, JSON.stringify(jobs));
    assert.equal(answer.job_id, jobs[0].id);
    assert.equal(await balance(user.id), 8, "charged once");
  });
});
