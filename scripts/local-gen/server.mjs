#!/usr/bin/env node
// The local generation server: a development stand-in for a GPU provider, on loopback, that
// speaks RunPod Serverless's queue API (PROTOCOLS.md "RunPod Serverless"), and OpenAI's chat
// completions (streamed too) for OpenAI-compatible models, so that the API's production code
// paths run unchanged against it. It makes real files from the prompt within
// seconds (no model runs): PNG images, MP4 videos, WAV audio, plain text. scripts/dev starts
// it when RUNPOD_API_BASE points at a free loopback port (.dev.vars.example does).
//
//   node scripts/local-gen/server.mjs [--port N] [--step-ms MS]
//
//   POST /{endpoint}/run             {"input":{"prompt",...,"steps"?},"webhook"?} → {id, status:"IN_QUEUE"}
//   GET|POST /{endpoint}/status/{id} {id, status, delayTime?, executionTime?, output?, error?}
//   POST /{endpoint}/cancel/{id}     {id, status}: CANCELLED for an open job, else its own status
//   GET|HEAD /files/{name}           a finished job's file (no key needed, like a presigned URL)
//   POST /v1/chat/completions        OpenAI's chat (chat.mjs): the text endpoint's text, whole or
//                                    streamed token by token (`stream: true`)
// Endpoints (endpoints.mjs): local-text, local-image, local-audio, local-video. Every other
// request needs `Authorization: Bearer <any key>` (401 without). `input.steps` (1..1000,
// default 6) sets how many progress steps of --step-ms (default 400) a job takes.

import http from "node:http";
import { ENDPOINTS } from "./endpoints.mjs";
import { completion, parseChat, streamCompletion } from "./chat.mjs";
import { createJobs } from "./jobs.mjs";
import { readBody } from "../lib/read-body.mjs";

const MAX_BODY = 10 * 1024 * 1024; // RunPod's payload limit

function parseArgs(argv) {
  const opts = { port: 54335, stepMs: 400 };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--port") opts.port = Number(argv[++i]);
    else if (argv[i] === "--step-ms") opts.stepMs = Number(argv[++i]);
    else {
      console.error("usage: node scripts/local-gen/server.mjs [--port N] [--step-ms MS]");
      process.exit(2);
    }
  }
  return opts;
}

const json = (status, body) => ({ status, headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

function parseRun(raw) {
  try {
    const body = JSON.parse(raw.toString("utf8"));
    const valid = body && typeof body.input === "object" && body.input !== null && !Array.isArray(body.input);
    if (valid && (body.webhook === undefined || typeof body.webhook === "string")) return body;
  } catch {}
  return null;
}

function route(jobs, method, path, raw) {
  const file = /^\/files\/([\w.-]+)$/.exec(path);
  if (file && (method === "GET" || method === "HEAD")) {
    const found = jobs.file(file[1]);
    if (!found) return json(404, { error: "file not found" });
    return { status: 200, headers: { "content-type": found.contentType, "content-length": found.bytes.length }, body: found.bytes };
  }
  const m = /^\/([^/]+)\/(run|status|cancel)(?:\/([^/]+))?$/.exec(path);
  if (!m) return json(404, { error: "not found" });
  const [, endpointId, op, id] = m;
  const endpoint = ENDPOINTS.get(endpointId);
  if (!endpoint) return json(404, { error: "endpoint not found" });
  if (op === "run" && method === "POST" && id === undefined) {
    if (raw === null) return json(413, { error: "payload too large" });
    const body = parseRun(raw);
    if (!body) return json(400, { error: "the body must be JSON with an `input` object" });
    return json(200, jobs.run(endpointId, endpoint, body));
  }
  const answer =
    op === "status" && (method === "GET" || method === "POST") && id ? jobs.status(endpointId, id)
    : op === "cancel" && method === "POST" && id ? jobs.cancel(endpointId, id)
    : undefined;
  if (answer === undefined) return json(405, { error: "method not allowed" });
  return answer ? json(200, answer) : json(404, { error: "request does not exist" });
}

const opts = parseArgs(process.argv.slice(2));
const log = (line) => console.log(`[local-gen] ${line}`);
const jobs = createJobs({ filesUrl: `http://127.0.0.1:${opts.port}/files`, stepMs: opts.stepMs, log });

const server = http.createServer(async (req, res) => {
  const path = new URL(req.url, "http://127.0.0.1").pathname;
  let answer;
  if (!path.startsWith("/files/") && !/^Bearer \S+$/.test(req.headers.authorization ?? "")) {
    req.resume();
    answer = json(401, { error: "Unauthorized" });
  } else if (req.method === "POST" && path === "/v1/chat/completions") {
    const raw = await readBody(req, MAX_BODY);
    const chat = raw === null ? { error: json(413, { error: { message: "payload too large" } }) } : parseChat(raw);
    if (!chat.error && chat.body.stream === true) return streamCompletion(chat, res, log);
    answer = chat.error ?? completion(chat);
  } else {
    answer = route(jobs, req.method, path, await readBody(req, MAX_BODY));
  }
  res.writeHead(answer.status, answer.headers);
  res.end(req.method === "HEAD" ? undefined : answer.body);
});
server.listen(opts.port, "127.0.0.1", () =>
  log(`RunPod-style endpoints ${[...ENDPOINTS.keys()].join(", ")} and OpenAI's /v1/chat/completions on http://127.0.0.1:${opts.port}`),
);
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => process.exit(0));
