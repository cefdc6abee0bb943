// The `fetch` effect's `store` (js-shim/effects/reply-files.js) and the `queue.send` effect
// (js-shim/effects/queue.js), in this process against a loopback server and recording
// bindings: a reply's files go into R2 and out of the body the core gets.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { performFetch } from "../../js-shim/effects/fetch.js";
import { performQueueSend } from "../../js-shim/effects/queue.js";
import { startLoopbackServer } from "./harness/loopback-server.mjs";

const IMAGE = Buffer.from("not really a png, but bytes");
let server;
let base;

before(async () => {
  server = await startLoopbackServer({
    "/images": { body: { created: 1, data: [{ b64_json: IMAGE.toString("base64"), revised_prompt: "r" }, { b64_json: IMAGE.toString("base64") }] } },
    "/speech": { headers: { "content-type": "audio/mpeg" }, body: IMAGE },
    "/refused": { status: 400, body: { error: { message: "no", type: "invalid_request_error" } } },
    "/not-json": { body: "<html>" },
    "/bad-base64": { body: { data: [{ b64_json: "***" }] } },
  });
  base = server.url;
});

after(() => server.close());

/** An env whose ASSETS bucket records what was put. */
function recordingEnv() {
  const stored = [];
  const ASSETS = {
    async put(key, body, options) {
      const bytes = Buffer.from(body instanceof Uint8Array ? body : await new Response(body).arrayBuffer());
      stored.push({ key, bytes, type: options?.httpMetadata?.contentType });
      return { key, size: bytes.length, etag: "e", httpMetadata: options?.httpMetadata ?? {} };
    },
  };
  return { env: { ASSETS }, stored };
}

const images = { key_prefix: "outputs/u/j/", extension: ".png", content_type: "image/png", max_bytes: 1 << 20, json: { items: "data", field: "b64_json" } };
const fetchStoring = (path, store, env) => performFetch({ method: "POST", url: `${base}${path}`, headers: [], max_bytes: store.max_bytes, store }, env);

test("JSON mode: each base64 item is decoded into R2 and removed from the body the core gets", async () => {
  const { env, stored } = recordingEnv();
  const result = await fetchStoring("/images", images, env);
  assert.equal(result.status, 200);
  assert.deepEqual(stored.map((s) => [s.key, s.type]), [["outputs/u/j/1.png", "image/png"], ["outputs/u/j/2.png", "image/png"]]);
  for (const s of stored) assert.deepEqual(s.bytes, IMAGE);
  assert.deepEqual(JSON.parse(Buffer.from(result.body).toString()), { created: 1, data: [{ revised_prompt: "r" }, {}] });
  assert.deepEqual(result.stored.map((s) => s.size), [IMAGE.length, IMAGE.length]);
});

test("whole-body mode: the reply is the one file, typed as it came; the body is empty", async () => {
  const { env, stored } = recordingEnv();
  const result = await fetchStoring("/speech", { key_prefix: "outputs/u/j/", extension: ".mp3", max_bytes: 1 << 20 }, env);
  assert.deepEqual(stored.map((s) => [s.key, s.type]), [["outputs/u/j/1.mp3", "audio/mpeg"]]);
  assert.equal(result.body.length, 0);
  assert.equal(result.stored[0].content_type, "audio/mpeg");
});

test("a refusal is read as without store; a reply not as asked or over its cap stores nothing", async () => {
  const { env, stored } = recordingEnv();
  const refused = await fetchStoring("/refused", images, env);
  assert.equal(refused.status, 400);
  assert.equal(JSON.parse(Buffer.from(refused.body).toString()).error.message, "no");
  assert.equal(refused.stored, undefined);
  assert.equal((await fetchStoring("/not-json", images, env)).error.code, "not_json");
  assert.equal((await fetchStoring("/bad-base64", images, env)).error.code, "invalid_base64");
  assert.equal((await fetchStoring("/images", { ...images, max_bytes: 16 }, env)).error.code, "too_large");
  assert.deepEqual(stored, []);
});

test("queue.send sends the JSON body to the named binding; no binding is `unavailable`", async () => {
  const sent = [];
  const JOBS = { async send(body, options) { sent.push({ body, options }); } };
  assert.deepEqual(await performQueueSend({ op: "queue.send", queue: "JOBS", body: { job_id: "j" } }, { env: { JOBS } }), {});
  assert.deepEqual(sent, [{ body: { job_id: "j" }, options: { contentType: "json" } }]);
  const missing = await performQueueSend({ op: "queue.send", queue: "NOPE", body: {} }, { env: {} });
  assert.equal(missing.error.code, "unavailable");
});
