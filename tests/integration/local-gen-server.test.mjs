// scripts/local-gen/server.mjs on its own, as the RunPod stand-in the API talks to in
// scripts/dev: RunPod's answers for /run, /status and /cancel (a cancel of an ended job
// answers its status, of an open one CANCELLED), its completion webhook (the /status body plus
// `input`), its refusals (no key, unknown endpoint or job), and files served at the output URL;
// and as the OpenAI-compatible chat the official `openai` client reads, whole or streamed.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import OpenAI from "openai";
import { call } from "./harness/http.mjs";
import { closedPort, startLoopbackServer } from "./harness/loopback-server.mjs";

const SERVER = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../scripts/local-gen/server.mjs");
const KEY = "any-key";

let base;
let child;
let receiver;

/** A request to the server with its key (`key: null`, none); a stand-in sends no x-request-id. */
const gen = (method, pathname, { body, key = KEY } = {}) => call(base, pathname, { method, token: key, body, requestId: false });

/** Polls /status until the job has ended. */
async function ended(endpoint, id) {
  for (;;) {
    const { status, body } = await gen("GET", `/${endpoint}/status/${id}`);
    assert.equal(status, 200, JSON.stringify(body));
    if (!["IN_QUEUE", "IN_PROGRESS"].includes(body.status)) return body;
    await sleep(50);
  }
}

before(async () => {
  const port = await closedPort();
  base = `http://127.0.0.1:${port}`;
  receiver = await startLoopbackServer({ "POST /hook": { status: 200, body: { ok: true } } });
  child = spawn(process.execPath, [SERVER, "--port", String(port), "--step-ms", "20"], { stdio: ["ignore", "pipe", "inherit"] });
  // ready once it prints its first line
  await new Promise((resolve, reject) => {
    child.stdout.once("data", resolve);
    child.once("exit", (code) => reject(new Error(`local-gen exited with ${code}`)));
  });
  child.stdout.resume();
});

after(async () => {
  child?.kill("SIGTERM");
  await receiver?.close();
});

describe("the local generation server speaks RunPod's queue API", () => {
  test("a job is queued, completes with its file's URL, and its webhook carries the /status body", async () => {
    const webhook = `${receiver.url}/hook`;
    const run = await gen("POST", "/local-image/run", { body: { input: { prompt: "a red kite" }, webhook } });
    assert.equal(run.status, 200);
    assert.deepEqual(Object.keys(run.body).sort(), ["id", "status"]);
    assert.equal(run.body.status, "IN_QUEUE");

    const done = await ended("local-image", run.body.id);
    assert.equal(done.status, "COMPLETED", JSON.stringify(done));
    assert.equal(done.output.content_type, "image/png");
    const file = await fetch(done.output.url);
    assert.equal(file.headers.get("content-type"), "image/png");
    assert.deepEqual([...Buffer.from(await file.arrayBuffer()).subarray(1, 4)], [0x50, 0x4e, 0x47]);

    for (;;) {
      const delivered = receiver.requests.find((r) => r.json().id === run.body.id);
      if (delivered) {
        assert.deepEqual(delivered.json(), { ...done, input: { prompt: "a red kite" } });
        break;
      }
      await sleep(50);
    }
  });

  test("a cancel of an ended job answers its status; of an open job, CANCELLED", async () => {
    const failed = await gen("POST", "/local-text/run", { body: { input: { prompt: "x [fail]" } } });
    const failure = await ended("local-text", failed.body.id);
    assert.equal(failure.status, "FAILED");
    assert.match(failure.error, /\[fail\]/);
    assert.deepEqual((await gen("POST", `/local-text/cancel/${failed.body.id}`)).body, { id: failed.body.id, status: "FAILED" });

    const open = await gen("POST", "/local-audio/run", { body: { input: { prompt: "a long one", steps: 1000 } } });
    const cancelled = await gen("POST", `/local-audio/cancel/${open.body.id}`);
    assert.deepEqual(cancelled.body, { id: open.body.id, status: "CANCELLED" });
    assert.equal((await gen("GET", `/local-audio/status/${open.body.id}`)).body.status, "CANCELLED");
  });

  test("refuses what RunPod refuses", async () => {
    assert.equal((await gen("POST", "/local-text/run", { body: { input: { prompt: "x" } }, key: null })).status, 401);
    assert.equal((await gen("POST", "/no-such-endpoint/run", { body: { input: { prompt: "x" } } })).status, 404);
    assert.equal((await gen("POST", "/local-text/run", { body: { prompt: "no input" } })).status, 400);
    assert.equal((await gen("GET", "/local-text/status/no-such-job")).status, 404);
    const other = await gen("POST", "/local-text/run", { body: { input: { prompt: "x" } } });
    assert.equal((await gen("GET", `/local-image/status/${other.body.id}`)).status, 404);
  });
});

describe("the local generation server speaks OpenAI's chat completions", () => {
  const client = () => new OpenAI({ apiKey: KEY, baseURL: `${base}/v1`, maxRetries: 0 });
  const messages = [{ role: "user", content: "a quiet harbour at dawn" }];

  test("answers a chat whole, and streamed token by token with the usage last", async () => {
    const whole = await client().chat.completions.create({ model: "local-chat", messages });
    const text = whole.choices[0].message.content;
    assert.match(text, /^Prompt: a quiet harbour at dawn\n/);
    assert.equal(whole.choices[0].finish_reason, "stop");
    assert.ok(whole.usage.completion_tokens > 10);

    const stream = await client().chat.completions.create({
      model: "local-chat", messages, stream: true, stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    assert.equal(chunks[0].choices[0].delta.role, "assistant");
    const pieces = chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.delta.content ?? ""));
    assert.equal(pieces.join(""), text);
    assert.equal(pieces.filter((piece) => piece !== "").length, whole.usage.completion_tokens);
    assert.equal(chunks.at(-2).choices[0].finish_reason, "stop");
    assert.deepEqual(chunks.at(-1).choices, []);
    assert.deepEqual(chunks.at(-1).usage, whole.usage);
  });

  test("fails mid-stream when asked, as an error event the client raises", async () => {
    const stream = await client().chat.completions.create({ model: "local-chat", messages, stream: true, fail_after_tokens: 2 });
    const seen = [];
    await assert.rejects(async () => {
      for await (const chunk of stream) seen.push(chunk.choices[0]?.delta.content ?? "");
    }, (err) => err instanceof OpenAI.APIError && /failed mid-stream/.test(err.message));
    assert.equal(seen.join("").length > 0, true);
  });
});
