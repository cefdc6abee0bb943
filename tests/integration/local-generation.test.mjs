// The embedded default makes real files: `scripts/dev` (its own ports and data folder) with
// the local generation server (scripts/local-gen) behind RUNPOD_API_BASE. For each content
// type a user creates a job on the local model, waits for it to complete through the API,
// downloads the output through its signed link and checks what the bytes really are (magic
// numbers; ffprobe and a full decode for the video). Credits: charged on success, refunded on
// a "[fail]" prompt and on cancel, which reaches the generation server.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { setTimeout as sleep } from "node:timers/promises";
import { EventSource } from "eventsource";
import { SignJWT } from "jose";
import OpenAI from "openai";
import { startDevServer } from "./harness/dev-server.mjs";
import { call } from "./harness/http.mjs";

const run = promisify(execFile);
const ADMIN = "admin-token-for-local-generation";
const JWT_SECRET = "local-generation-test-jwt-secret-of-32-chars";
const RUNPOD_KEY = "local-generation-test-key";
const WELCOME = 10;
const OPEN = new Set(["queued", "submitted", "running"]);
// A guard against hanging (a dev server that never comes up, a job that never ends), not a
// measure: a cold start may install ffmpeg first.
const HANG_MS = 5 * 60_000;

let dev;
let token;

async function createJob(model, prompt, input) {
  const { status, body } = await call(dev.url, "/jobs", { method: "POST", token, body: { model, prompt, ...(input ? { input } : {}) } });
  assert.equal(status, 200, JSON.stringify(body));
  assert.equal(body.provider, "runpod", JSON.stringify(body));
  return body;
}

/** Polls GET /jobs/:id (each poll asks the generation server) until `done(job)`. */
async function waitFor(jobId, done) {
  for (;;) {
    const { status, body } = await call(dev.url, `/jobs/${jobId}`, { token });
    assert.equal(status, 200, JSON.stringify(body));
    if (done(body)) return body;
    await sleep(250);
  }
}

const finished = (job) => !OPEN.has(job.status);
// NOTE: a job is `completed` as soon as that is recorded; its outputs are recorded once copied
// into R2, a moment later (jobs/provider_state.cpp), so a poll may see completed without them.
const settled = (job) => finished(job) && (job.status !== "completed" || job.outputs.length > 0);

/** The job's one output, downloaded anonymously through its signed link: {output, bytes}. */
async function download(job) {
  assert.equal(job.outputs.length, 1, JSON.stringify(job.outputs));
  const [output] = job.outputs;
  const res = await fetch(output.url);
  assert.equal(res.status, 200, output.url);
  return { output, bytes: Buffer.from(await res.arrayBuffer()) };
}

async function balance() {
  const { status, body } = await call(dev.url, "/credits", { token });
  assert.equal(status, 200, JSON.stringify(body));
  return body.balance;
}

before(async () => {
  dev = await startDevServer({
    env: {
      APP_ADMIN_TOKEN: ADMIN,
      SUPABASE_JWT_SECRET: JWT_SECRET,
      RUNPOD_API_KEY: RUNPOD_KEY,
      RUNPOD_ENDPOINT_ID: "local-video",
      WELCOME_CREDITS: String(WELCOME),
    },
  });
  token = await new SignJWT({ role: "authenticated", email: "maker@example.com" })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(crypto.randomUUID())
    .setAudience("authenticated")
    // SUPABASE_URL names the local Supabase Auth: its issuer is the one a token must carry
    .setIssuer(`http://127.0.0.1:${dev.ports.auth}/auth/v1`)
    .setIssuedAt()
    .setExpirationTime("1h")
    .sign(new TextEncoder().encode(JWT_SECRET));
}, { timeout: HANG_MS });

after(async () => {
  await dev?.stop();
});

describe("scripts/dev with the local generation server", { timeout: HANG_MS }, () => {
  const charged = {}; // model → what GET /models says a job costs at its inputs' defaults

  test("lists a local model per content type", async () => {
    const res = await fetch(`${dev.url}/models`);
    const { models } = await res.json();
    // the RunPod stand-in's models (local-chat is the OpenAI-compatible one, tested below)
    const local = models.filter((m) => m.id.startsWith("local-") && m.id !== "local-chat");
    assert.deepEqual(local.map((m) => m.content_type).sort(), ["audio", "image", "text", "video"], JSON.stringify(models));
    for (const m of local) charged[m.id] = m.cost_credits;
    // video is priced by its steps (0.5 + 0.25 a step, 6 by default), text by its prompt
    assert.deepEqual(charged, { "local-audio": 1, "local-image": 1, "local-text": 0, "local-video": 2 });
    // each takes a prompt and steps; the audio and text models also the parameters OpenAI's
    // clients send (migrations/dev/0003)
    const inputs = Object.fromEntries(local.map((m) => [m.id, Object.keys(m.input_schema.properties).sort()]));
    assert.deepEqual(inputs, {
      "local-audio": ["prompt", "steps", "voice"], "local-image": ["prompt", "steps"],
      "local-text": ["max_tokens", "prompt", "steps"], "local-video": ["prompt", "steps"],
    });
    assert.equal(await balance(), WELCOME);
  });

  test("makes a PNG, a WAV, a text and an MP4 that plays, each behind a signed link", async () => {
    const prompt = "a lighthouse in a storm, oil painting";
    const jobs = await Promise.all(
      ["local-image", "local-audio", "local-text", "local-video"].map(async (model) => {
        const estimate = await call(dev.url, "/jobs/estimate", { method: "POST", token, body: { model, prompt } });
        assert.equal(estimate.status, 200, estimate.text);
        const created = await createJob(model, prompt);
        assert.equal(created.cost_credits, estimate.body.cost_credits, `${model}: the estimate is the price`);
        return { model, cost: created.cost_credits, job: await waitFor(created.job_id, settled) };
      }),
    );
    const files = {};
    for (const { model, job } of jobs) {
      assert.equal(job.status, "completed", JSON.stringify(job));
      files[model] = await download(job);
    }

    const png = files["local-image"].bytes;
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    assert.equal(png.subarray(12, 16).toString("ascii"), "IHDR");
    assert.match(files["local-image"].output.key, /\.png$/);

    const wav = files["local-audio"].bytes;
    assert.equal(wav.subarray(0, 4).toString("ascii"), "RIFF");
    assert.equal(wav.subarray(8, 16).toString("ascii"), "WAVEfmt ");
    assert.equal(wav.readUInt32LE(4), wav.length - 8);

    const text = files["local-text"].bytes.toString("utf8");
    assert.ok(text.startsWith(`Prompt: ${prompt}\n`), text);
    assert.match(text, /development stand-in/);

    const mp4 = files["local-video"].bytes;
    assert.equal(mp4.subarray(4, 8).toString("ascii"), "ftyp");
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "ag-local-video-")), "clip.mp4");
    fs.writeFileSync(file, mp4);
    try {
      const probe = await run("ffprobe", ["-v", "error", "-show_format", "-show_streams", "-of", "json", file]);
      const { format, streams } = JSON.parse(probe.stdout);
      assert.match(format.format_name, /mp4/);
      assert.ok(Number(format.duration) > 1, format.duration);
      const video = streams.find((s) => s.codec_type === "video");
      assert.equal(video.codec_name, "h264");
      assert.equal(video.pix_fmt, "yuv420p");
      assert.ok(streams.some((s) => s.codec_type === "audio" && s.codec_name === "aac"), JSON.stringify(streams));
      // it plays: every frame decodes without an error
      const decode = await run("ffmpeg", ["-v", "error", "-i", file, "-f", "null", "-"]);
      assert.equal(decode.stderr, "");
    } finally {
      fs.rmSync(path.dirname(file), { recursive: true, force: true });
    }

    // text is priced by its prompt's length (1 credit per 1,000 characters, rounded up), the
    // others at their defaults
    assert.deepEqual(Object.fromEntries(jobs.map(({ model, cost }) => [model, cost])), {
      ...charged, "local-text": 1,
    });
    const spent = jobs.reduce((sum, { cost }) => sum + cost, 0);
    assert.equal(await balance(), WELCOME - spent);
  });

  test("a [fail] prompt fails at the provider and its credits come back", async () => {
    const before = await balance();
    const created = await createJob("local-image", "a storm [fail]");
    const job = await waitFor(created.job_id, finished);
    assert.equal(job.status, "failed", JSON.stringify(job));
    assert.match(job.result.error, /\[fail\]/);
    assert.equal(await balance(), before);
    const { body } = await call(dev.url, "/credits", { token });
    const entries = body.entries.filter((e) => e.job_id === created.job_id);
    assert.deepEqual(entries.map((e) => e.delta).sort(), [-charged["local-image"], charged["local-image"]]);
  });

  test("a running job reports its progress, can be cancelled, and is refunded", async () => {
    const before = await balance();
    const created = await createJob("local-audio", "a long symphony", { steps: 1000 });
    const running = await waitFor(created.job_id, (job) => job.status === "running" || finished(job));
    assert.equal(running.status, "running", JSON.stringify(running));
    assert.match(running.result.output, /^step \d+ of 1000$/);
    assert.equal(await balance(), before - charged["local-audio"]);

    const { status, body } = await call(dev.url, `/jobs/${created.job_id}/cancel`, { method: "POST", token });
    assert.equal(status, 200, JSON.stringify(body));
    assert.equal(body.refunded, charged["local-audio"]);
    assert.equal(await balance(), before);

    const res = await fetch(`http://127.0.0.1:${dev.ports.gen}/local-audio/status/${created.provider_job_id}`, {
      headers: { authorization: `Bearer ${RUNPOD_KEY}` },
    });
    assert.equal((await res.json()).status, "CANCELLED");
  });

  test("Prefer: wait answers a job that ends in time finished, and a longer one as usual", async () => {
    const quick = await call(dev.url, "/jobs", {
      method: "POST", token, headers: { prefer: "wait=30" }, body: { model: "local-image", prompt: "a quick lighthouse" },
    });
    assert.equal(quick.status, 200, quick.text);
    assert.equal(quick.headers.get("preference-applied"), "wait=30");
    assert.equal(quick.body.status, "completed", quick.text);

    const slow = await call(dev.url, "/jobs", {
      method: "POST", token, headers: { prefer: "wait=1" },
      body: { model: "local-audio", prompt: "a slow symphony", input: { steps: 1000 } },
    });
    assert.equal(slow.status, 200, slow.text);
    assert.equal(slow.headers.get("preference-applied"), null);
    assert.ok(OPEN.has(slow.body.status), slow.text);
    const cancelled = await call(dev.url, `/jobs/${slow.body.job_id}/cancel`, { method: "POST", token });
    assert.equal(cancelled.status, 200, cancelled.text);
  });

  test("GET /jobs/:id/events streams the job's progress and ends with the finished job", async () => {
    const created = await createJob("local-text", "a haiku about tides", { steps: 4 });
    const source = new EventSource(`${dev.url}/jobs/${created.job_id}/events`, {
      fetch: (input, init) => fetch(input, { ...init, headers: { ...init.headers, authorization: `Bearer ${token}` } }),
    });
    const statuses = [];
    const progress = [];
    source.addEventListener("status", (event) => statuses.push(JSON.parse(event.data)));
    source.addEventListener("progress", (event) => progress.push(JSON.parse(event.data).result?.output));
    // The stream closes after the finished job; the reconnect with its id is told 204: closed.
    await new Promise((resolve) => source.addEventListener("error", () => source.readyState === EventSource.CLOSED && resolve()));
    assert.equal(statuses.at(-1).status, "completed", JSON.stringify(statuses.map((job) => job.status)));
    assert.ok(progress.some((output) => /^step \d of 4$/.test(output)), JSON.stringify(progress));
  });

  test("a local-chat stream: the OpenAI client reads it token by token, the job completed", async () => {
    const openai = new OpenAI({ apiKey: token, baseURL: `${dev.url}/v1`, maxRetries: 0 });
    const stream = await openai.chat.completions.create({
      model: "local-chat", messages: [{ role: "user", content: "a haiku about tides" }], max_tokens: 100, stream: true,
      stream_options: { include_usage: true },
    });
    const pieces = [];
    let last;
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta?.content) pieces.push(chunk.choices[0].delta.content);
      last = chunk;
    }
    assert.ok(pieces.length > 10, `token by token (${pieces.length} pieces)`);
    assert.equal(last.usage.completion_tokens, pieces.length);
    const { body: job } = await call(dev.url, `/jobs/${last.job_id}`, { token });
    assert.equal(job.status, "completed", JSON.stringify(job));
    assert.equal((await download(job)).bytes.toString("utf8"), pieces.join(""));
  });
});
