// A TCP proxy that delays every chunk by half a round trip in each direction, preserving order:
// the benchmark's stand-in for the distance between Hyperdrive's pool and the database
// (`tc netem` needs privileges this machine does not give). It sits between the pooler and
// Postgres, so a statement that costs one wire round trip costs one `rttMs` more.
//
//   const proxy = await startDelayProxy({ host: "127.0.0.1", port: 5432, rttMs: 20 });
//   proxy.port            // connect here instead of to host:port
//   proxy.stats()         // {connections, chunks, bytes} forwarded so far, both directions
//   await proxy.close();
//
// Bytes are forwarded unchanged. Each direction is a queue of (due time, chunk); one timer per
// direction writes the chunks whose time has come, in arrival order, so a later chunk can
// never overtake an earlier one. An end or an error on one side reaches the other after the
// data before it.

import net from "node:net";

/** One direction of a connection: chunks from `from` written to `to`, `delayMs` late. */
function delayedPipe(from, to, delayMs, counters) {
  const queue = []; // [{due, chunk}] or {due, end: true}
  let timer = null;
  const flush = () => {
    timer = null;
    const now = performance.now();
    while (queue.length > 0 && queue[0].due <= now) {
      const item = queue.shift();
      if (item.end) {
        to.end();
        return;
      }
      to.write(item.chunk);
    }
    if (queue.length > 0) timer = setTimeout(flush, queue[0].due - now);
  };
  const push = (item) => {
    queue.push(item);
    if (!timer) timer = setTimeout(flush, Math.max(0, queue[0].due - performance.now()));
  };
  from.on("data", (chunk) => {
    counters.chunks += 1;
    counters.bytes += chunk.length;
    push({ due: performance.now() + delayMs, chunk });
  });
  from.on("end", () => push({ due: performance.now() + delayMs, end: true }));
  return () => {
    if (timer) clearTimeout(timer);
    queue.length = 0;
  };
}

/**
 * @param {{host: string, port: number, rttMs: number}} o the server behind the proxy, and the
 *   round trip to add (half on the way there, half on the way back)
 */
export async function startDelayProxy({ host, port, rttMs }) {
  if (!(rttMs >= 0)) throw new Error(`rttMs must be a number ≥ 0, not ${rttMs}`);
  const half = rttMs / 2;
  const counters = { connections: 0, chunks: 0, bytes: 0 };
  const open = new Set();
  const server = net.createServer({ allowHalfOpen: true }, (client) => {
    counters.connections += 1;
    const upstream = net.connect({ host, port, allowHalfOpen: true });
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    const stops = [delayedPipe(client, upstream, half, counters), delayedPipe(upstream, client, half, counters)];
    const pair = { client, upstream };
    open.add(pair);
    const teardown = () => {
      if (!open.delete(pair)) return;
      for (const stop of stops) stop();
      client.destroy();
      upstream.destroy();
    };
    // A reset on either side resets the other (what a lost link does). A clean close travels
    // as an end, behind the data before it: the pair is done once both sides have closed.
    let closed = 0;
    for (const socket of [client, upstream]) {
      socket.on("error", teardown);
      socket.on("close", (hadError) => {
        closed += 1;
        if (hadError || closed === 2) teardown();
      });
    }
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  return {
    port: server.address().port,
    rttMs,
    stats: () => ({ ...counters }),
    async close() {
      for (const { client, upstream } of open) {
        client.destroy();
        upstream.destroy();
      }
      open.clear();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
