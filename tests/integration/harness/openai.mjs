// A stand-in for an OpenAI-compatible API (`https://api.openai.com/v1`) on a loopback port:
// images, speech and chat completions answered in OpenAI's shapes (PROTOCOLS.md "OpenAI").
//
//   const openai = await startOpenAI({ key: "sk-test" });
//   openai.url                      // "http://127.0.0.1:PORT/v1": the Worker's OPENAI_API_BASE
//   openai.image = bytes            // what an image generation returns (b64_json, or a URL to it)
//   openai.speech = bytes           // what speech returns (audio/mpeg)
//   openai.failNext({ status: 500 })  // the next generation answers this instead
//   openai.requests                 // every request seen; openai.generations: the POSTs
//
// Endpoints (`Authorization: Bearer <key>`, else 401 {"error": {...}}):
//   POST /v1/images/generations {model, prompt, n?, response_format?: url|b64_json}
//        → {created, data: [{b64_json} | {url}] × n}   (b64_json unless url is asked for)
//   POST /v1/audio/speech {model, input, voice, response_format?} → the audio bytes
//   POST /v1/chat/completions {model, messages} → {id, object: "chat.completion", choices, usage}
//   GET  /files/<name>              an image URL's bytes (no auth, as OpenAI's CDN)

import crypto from "node:crypto";
import { startLoopbackServer } from "./loopback-server.mjs";

const PNG = Buffer.from(
  "89504e470d0a1a0a0000000d4948445200000001000000010806000000" +
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201d4a4d8a90000000049454e44ae426082",
  "hex",
);

const error = (status, message, type, code = null) => ({ status, body: { error: { message, type, param: null, code } } });

export async function startOpenAI({ key }) {
  const failures = [];
  const files = new Map();
  const generations = [];
  const state = { image: PNG, speech: Buffer.from("ID3 stand-in speech bytes"), reply: "Hello from the stand-in." };

  async function generate(req, answer) {
    if (req.headers.authorization !== `Bearer ${key}`) {
      return error(401, "Incorrect API key provided.", "invalid_request_error", "invalid_api_key");
    }
    let body;
    try {
      body = req.json();
    } catch {
      return error(400, "We could not parse the JSON body of your request.", "invalid_request_error");
    }
    generations.push({ path: req.path, body });
    const failure = failures.shift();
    if (failure) return { status: failure.status, body: failure.body ?? error(failure.status, "stand-in failure", "server_error").body };
    if (typeof body.model !== "string") return error(400, "you must provide a model parameter", "invalid_request_error");
    return answer(body);
  }

  const api = await startLoopbackServer({
    "POST /v1/images/generations": (req) =>
      generate(req, (body) => {
        const n = Number.isInteger(body.n) ? body.n : 1;
        const data = [];
        for (let i = 0; i < n; i++) {
          if (body.response_format === "url") {
            const name = `${crypto.randomBytes(6).toString("hex")}.png`;
            files.set(name, state.image);
            data.push({ url: `${api.url}/files/${name}` });
          } else {
            data.push({ b64_json: state.image.toString("base64") });
          }
        }
        return { status: 200, headers: { "x-request-id": `req_${crypto.randomBytes(6).toString("hex")}` }, body: { created: Math.floor(Date.now() / 1000), data } };
      }),
    "POST /v1/audio/speech": (req) =>
      generate(req, (body) => {
        if (typeof body.input !== "string" || typeof body.voice !== "string") {
          return error(400, "input and voice are required", "invalid_request_error");
        }
        return { status: 200, headers: { "content-type": "audio/mpeg" }, body: state.speech };
      }),
    "POST /v1/chat/completions": (req) =>
      generate(req, (body) => {
        if (!Array.isArray(body.messages)) return error(400, "messages is required", "invalid_request_error");
        return {
          status: 200,
          body: {
            id: `chatcmpl-${crypto.randomBytes(6).toString("hex")}`,
            object: "chat.completion",
            created: Math.floor(Date.now() / 1000),
            model: body.model,
            choices: [{ index: 0, message: { role: "assistant", content: state.reply }, finish_reason: "stop" }],
            usage: { prompt_tokens: 5, completion_tokens: 6, total_tokens: 11 },
          },
        };
      }),
    "*": (req) => {
      const name = req.method === "GET" && req.path.startsWith("/files/") ? req.path.slice(7) : null;
      if (name && files.has(name)) return { status: 200, headers: { "content-type": "image/png" }, body: files.get(name) };
      return error(404, "not found", "invalid_request_error");
    },
  });

  return {
    url: `${api.url}/v1`,
    get requests() {
      return api.requests;
    },
    generations,
    set image(bytes) {
      state.image = Buffer.from(bytes);
    },
    get image() {
      return state.image;
    },
    set speech(bytes) {
      state.speech = Buffer.from(bytes);
    },
    get speech() {
      return state.speech;
    },
    get reply() {
      return state.reply;
    },
    failNext(failure) {
      failures.push(failure);
    },
    close: () => api.close(),
  };
}
