// An OpenAI-compatible chat endpoint (POST /v1/chat/completions; PROTOCOLS.md "OpenAI"): the
// reply is the text text.mjs makes from the last user message, answered whole as a
// chat.completion or, with `stream: true`, as Server-Sent Events of chat.completion.chunk objects
// written token by token (a word with the space after it), the finish reason, with
// `stream_options.include_usage` a usage chunk with no choices, and `data: [DONE]`.
// Stand-in controls in the body (OpenAI has neither): `token_ms` (0..2000) the pause before
// each token; `fail_after_tokens` (N ≥ 0) ends the stream after N tokens with an error event, as
// OpenAI reports a failure mid-stream.
import crypto from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { renderText } from "./text.mjs";

const json = (status, body) => ({ status, headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
const failure = (status, message) => json(status, { error: { message, type: "invalid_request_error", param: null, code: null } });

/** The text of the last user message: a string, or the text parts of a list of parts. */
function lastUserText(messages) {
  const message = [...messages].reverse().find((each) => each?.role === "user");
  if (typeof message?.content === "string") return message.content;
  if (!Array.isArray(message?.content)) return null;
  return message.content.filter((part) => part?.type === "text").map((part) => part.text).join("\n");
}

/** `raw` read as a chat request: {body, prompt}, or the error answer. */
export function parseChat(raw) {
  let body;
  try {
    body = JSON.parse(raw.toString("utf8"));
  } catch {
    return { error: failure(400, "We could not parse the JSON body of your request.") };
  }
  if (typeof body?.model !== "string") return { error: failure(400, "you must provide a model parameter") };
  const prompt = Array.isArray(body.messages) ? lastUserText(body.messages) : null;
  if (!prompt) return { error: failure(400, "messages must hold a user message with text") };
  return { body, prompt };
}

/** The reply's tokens: each word with the white space after it. */
function tokens(text) {
  return text.match(/\s+|\S+\s*/g) ?? [];
}

function usage(prompt, completionTokens) {
  const promptTokens = tokens(prompt).length;
  return { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
}

/** The whole completion (no `stream`). */
export function completion({ body, prompt }) {
  const text = renderText(prompt).toString("utf8");
  return json(200, {
    id: `chatcmpl-${crypto.randomBytes(6).toString("hex")}`,
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model: body.model,
    choices: [{ index: 0, message: { role: "assistant", content: text, refusal: null }, logprobs: null, finish_reason: "stop" }],
    usage: usage(prompt, tokens(text).length),
  });
}

/** Writes the completion to `res` as it streams; resolves once the stream has ended. */
export async function streamCompletion({ body, prompt }, res, log) {
  const pieces = tokens(renderText(prompt).toString("utf8"));
  const pauseMs = Number.isInteger(body.token_ms) ? Math.min(Math.max(body.token_ms, 0), 2000) : 0;
  const failAfter = Number.isInteger(body.fail_after_tokens) ? body.fail_after_tokens : null;
  const head = { id: `chatcmpl-${crypto.randomBytes(6).toString("hex")}`, object: "chat.completion.chunk",
                 created: Math.floor(Date.now() / 1000), model: body.model };
  const send = (data) => res.write(`data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`);
  const chunk = (delta, finishReason = null) =>
    send({ ...head, choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }] });
  res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache",
                       "x-request-id": `req_${crypto.randomBytes(6).toString("hex")}` });
  chunk({ role: "assistant", content: "", refusal: null });
  let gone = false;
  res.on("close", () => { gone = true; });
  for (const [i, piece] of pieces.entries()) {
    if (failAfter !== null && i >= failAfter) {
      send({ error: { message: "The local generation server failed mid-stream, as asked.", type: "server_error", param: null, code: null } });
      log(`chat ${head.id} failed after ${i} tokens, as asked`);
      return res.end();
    }
    if (pauseMs > 0) await sleep(pauseMs);
    if (gone) return log(`chat ${head.id}: the client went away after ${i} tokens`);
    chunk({ content: piece });
  }
  chunk({}, "stop");
  if (body.stream_options?.include_usage === true) send({ ...head, choices: [], usage: usage(prompt, pieces.length) });
  send("[DONE]");
  res.end();
  log(`chat ${head.id} streamed ${pieces.length} tokens`);
}
