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

import http from "node:http";

const HOP = new Set(["host", "connection", "keep-alive", "transfer-encoding", "content-length", "upgrade"]);

export async function startRelay({ target = null } = {}) {
  const exchanges = [];
  let hold = null;
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", async () => {
      const u = new URL(req.url, "http://127.0.0.1");
      const body = Buffer.concat(chunks);
      const exchange = { method: req.method, path: u.pathname, query: Object.fromEntries(u.searchParams), status: null, text: "" };
      exchange.json = function json() {
        return JSON.parse(this.text);
      };
      exchanges.push(exchange);
      if (!target) {
        exchange.status = 503;
        res.writeHead(503, { "content-type": "text/plain" });
        res.end("relay has no target yet");
        return;
      }
      try {
        const headers = {};
        for (const [k, v] of Object.entries(req.headers)) if (!HOP.has(k)) headers[k] = v;
        const answer = await fetch(new URL(req.url, target), {
          method: req.method,
          headers,
          body: req.method === "GET" || req.method === "HEAD" ? undefined : body,
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
        res.writeHead(answer.status, out);
        res.end(bytes);
      } catch (err) {
        exchange.status = 502;
        exchange.text = String(err?.message ?? err);
        res.writeHead(502, { "content-type": "text/plain" });
        res.end(exchange.text);
      }
    });
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address();
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
      server.closeAllConnections?.();
      await new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
