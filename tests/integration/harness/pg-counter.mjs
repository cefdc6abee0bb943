// A TCP relay in front of PostgreSQL that counts what clients send, to measure database round
// trips per request of the Worker (hand its URL to startWorker as `db`).
//
//   const counter = await startPgCounter(db.url);
//   const worker = await startWorker({ db: counter.url, vars });
//   const mark = counter.mark();
//   await worker.fetch(...);
//   await counter.idle();                 // the Worker's connections have closed
//   counter.since(mark)   // {statements: [text...], roundTrips, connections}
//   await counter.close();
//
// It parses the frontend side of the protocol (v3) and passes every byte through unchanged:
//   statements   Parse ('P') and simple Query ('Q') messages: one per SQL statement sent
//   roundTrips   messages after which the client waits for the server: Sync ('S'), Flush ('H')
//                and simple Query ('Q'). postgres.js with `prepare: false` sends a statement
//                with parameters as Parse+Describe+Flush, then Bind+Execute+Sync: two each
//   connections  connections opened (each also costs the startup/authentication exchange)
// The server must not negotiate TLS on this path (sslmode=disable, Miniflare's default).

import net from "node:net";

const PROTOCOL_3 = 196608;

export async function startPgCounter(targetUrl) {
  const target = new URL(targetUrl);
  const targetPort = Number(target.port || 5432);
  const targetHost = target.hostname;
  const events = []; // {seq, conn, kind: "statement"|"roundtrip"|"connect", text?}
  let seq = 0;
  let connections = 0;
  let open = 0;
  const sockets = new Set();
  const idleWaiters = new Set();

  const record = (conn, kind, text) => events.push({ seq: ++seq, conn, kind, text, at: Date.now() });
  const wakeIdle = () => {
    if (open !== 0) return;
    for (const w of idleWaiters) w();
    idleWaiters.clear();
  };

  const server = net.createServer((client) => {
    const conn = ++connections;
    open += 1;
    record(conn, "connect");
    const upstream = net.connect(targetPort, targetHost);
    sockets.add(client);
    sockets.add(upstream);
    let buf = Buffer.alloc(0);
    let typed = false; // after the StartupMessage, every message starts with a type byte
    let closed = false;

    const parse = () => {
      for (;;) {
        if (!typed) {
          if (buf.length < 8) return;
          const len = buf.readInt32BE(0);
          if (buf.length < len) return;
          if (buf.readInt32BE(4) === PROTOCOL_3) typed = true; // SSLRequest/GSSENCRequest: still untyped
          buf = buf.subarray(len);
          continue;
        }
        if (buf.length < 5) return;
        const type = String.fromCharCode(buf[0]);
        const len = buf.readInt32BE(1);
        if (buf.length < 1 + len) return;
        const body = buf.subarray(5, 1 + len);
        if (type === "P") {
          const nameEnd = body.indexOf(0);
          const queryEnd = body.indexOf(0, nameEnd + 1);
          record(conn, "statement", body.subarray(nameEnd + 1, queryEnd).toString("utf8"));
        } else if (type === "Q") {
          record(conn, "statement", body.subarray(0, body.indexOf(0)).toString("utf8"));
          record(conn, "roundtrip");
        } else if (type === "S" || type === "H") {
          record(conn, "roundtrip");
        }
        buf = buf.subarray(1 + len);
      }
    };

    const finish = () => {
      if (closed) return;
      closed = true;
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
      open -= 1;
      wakeIdle();
    };

    client.on("data", (chunk) => {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      try {
        parse();
      } catch {
        /* counting is best effort; the bytes still pass */
      }
    });
    client.pipe(upstream);
    upstream.pipe(client);
    client.on("error", finish);
    upstream.on("error", finish);
    client.on("close", finish);
    upstream.on("close", finish);
  });

  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address();
  const url = new URL(targetUrl);
  url.hostname = "127.0.0.1";
  url.port = String(port);

  return {
    url: url.toString(),
    events,
    /** How many client connections are open now. */
    get open() {
      return open;
    },
    /** A point to count from. */
    mark() {
      return seq;
    },
    /** What clients sent after `mark`. */
    since(mark) {
      const after = events.filter((e) => e.seq > mark);
      return {
        statements: after.filter((e) => e.kind === "statement").map((e) => e.text),
        roundTrips: after.filter((e) => e.kind === "roundtrip").length,
        connections: after.filter((e) => e.kind === "connect").length,
      };
    },
    /** Resolves once no client connection is open (or after `timeoutMs`, to false). */
    idle(timeoutMs = 3000) {
      if (open === 0) return Promise.resolve(true);
      return new Promise((resolve) => {
        const done = () => {
          clearTimeout(t);
          resolve(true);
        };
        const t = setTimeout(() => {
          idleWaiters.delete(done);
          resolve(false);
        }, timeoutMs);
        idleWaiters.add(done);
      });
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
