// An HTTP relay on a loopback port known before the Worker starts, so a Worker can be given
// its own public URL (PUBLIC_BASE_URL) and third parties (the RunPod stand-in's webhooks) reach
// it through that URL.
//
//   const relay = await startRelay();
//   const worker = await startWorker({ vars: { PUBLIC_BASE_URL: relay.url, ... } });
//   relay.target = worker.url;     // from now on every request is forwarded there
//   relay.exchanges                // [{method, path, query, status, text, json()}] with the answers
//   await relay.close();
//
// Until `target` is set, requests get 503; `startRelay({ target })` sets it from the start (a
// proxy in front of a stand-in). `relay.hold = async (exchange) => ...` runs after the target
// answered and before the answer is sent on: to put a third party's side effect (e.g. the
// webhook the RunPod stand-in sends when a job is cancelled) deterministically before the
// caller sees the answer that caused it (null: no holding). Hop-by-hop headers are not
// forwarded.

import { startLoopbackServer } from "./loopback-server.mjs";

const HOP = new Set(["host", "connection", "keep-alive", "transfer-encoding", "content-length", "upgrade"]);

export async function startRelay({ target = null } = {}) {
  const exchanges = [];
  let hold = null;
  /** Forwards one request to the target and answers what it answered. */
  async function relay(req) {
    const exchange = { method: req.method, path: req.path, query: req.query, status: null, text: "" };
    exchange.json = function json() {
      return JSON.parse(this.text);
    };
    exchanges.push(exchange);
    if (!target) {
      exchange.status = 503;
      return { status: 503, headers: { "content-type": "text/plain" }, body: "relay has no target yet" };
    }
    try {
      const headers = {};
      for (const [k, v] of Object.entries(req.headers)) if (!HOP.has(k)) headers[k] = v;
      const answer = await fetch(new URL(req.url, target), {
        method: req.method,
        headers,
        body: req.method === "GET" || req.method === "HEAD" ? undefined : req.body,
        redirect: "manual",
      });
      const bytes = Buffer.from(await answer.arrayBuffer());
      exchange.status = answer.status;
      exchange.text = bytes.toString("utf8");
      if (hold) await hold(exchange);
      const out = {};
      answer.headers.forEach((v, k) => {
        if (!HOP.has(k) && k !== "content-encoding") out[k] = v;
      });
      return { status: answer.status, headers: out, body: bytes };
    } catch (err) {
      exchange.status = 502;
      exchange.text = String(err?.message ?? err);
      return { status: 502, headers: { "content-type": "text/plain" }, body: exchange.text };
    }
  }

  const server = await startLoopbackServer({ "*": relay });
  const { port } = server;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    exchanges,
    get target() {
      return target;
    },
    set target(value) {
      target = value;
    },
    get hold() {
      return hold;
    },
    set hold(fn) {
      hold = fn;
    },
    async close() {
      await server.close();
    },
  };
}
