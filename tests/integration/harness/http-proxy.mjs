// An HTTP proxy on a loopback port that forwards every request to a target and can hold an
// answer back until the test says so: to put a third party's side effect (e.g. the webhook the
// RunPod stand-in sends when a job is cancelled) deterministically before the caller sees the
// answer that caused it.
//
//   const proxy = await startProxy(runpod.url);
//   const worker = await startWorker({ vars: { RUNPOD_API_BASE: proxy.url, ... } });
//   proxy.hold = async (exchange) => { if (exchange.path.includes("/cancel/")) await something; };
//   proxy.exchanges   // [{method, path, status, text}] forwarded, with the target's answers
//   await proxy.close();
//
// `hold(exchange)` runs after the target answered and before the answer is sent on (null: no
// holding). Hop-by-hop headers are not forwarded.

import http from "node:http";

const HOP = new Set(["host", "connection", "keep-alive", "transfer-encoding", "content-length", "upgrade"]);

export async function startProxy(target) {
  const exchanges = [];
  let hold = null;
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", async () => {
      const u = new URL(req.url, "http://127.0.0.1");
      const exchange = { method: req.method, path: u.pathname, status: null, text: "" };
      exchanges.push(exchange);
      try {
        const headers = {};
        for (const [k, v] of Object.entries(req.headers)) if (!HOP.has(k)) headers[k] = v;
        const answer = await fetch(new URL(req.url, target), {
          method: req.method,
          headers,
          body: req.method === "GET" || req.method === "HEAD" ? undefined : Buffer.concat(chunks),
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
