// The socket node-postgres talks through, made corkable. `pg` corks its socket around a
// statement's five messages (Parse, Bind, Describe, Execute, Sync) where the socket can cork.
// In Workers its socket is pg-cloudflare's, which cannot: each message became a write of its own
// through the socket's writer, a promise and a trip through the runtime each. Corked, the
// statement goes out as one write (BENCHMARKS.md, issue 27).

import pgStream from "pg/lib/stream.js";

/** Adds cork/uncork to `socket` when it has none (Node's sockets have their own). */
export function corkable(socket) {
  if (typeof socket.cork === "function") return socket;
  const write = socket.write.bind(socket);
  let held = null; // messages written while corked
  let callbacks = []; // theirs, called once the messages are written
  socket.cork = () => {
    held ??= [];
  };
  socket.uncork = () => {
    const messages = held;
    const waiting = callbacks;
    held = null;
    callbacks = [];
    if (!messages?.length) return;
    write(messages.length === 1 ? messages[0] : Buffer.concat(messages), (err) => {
      for (const callback of waiting) callback(err);
    });
  };
  socket.write = (data, encodingOrCallback, callback) => {
    if (!held || typeof data === "string") return write(data, encodingOrCallback, callback);
    held.push(data);
    const done = typeof encodingOrCallback === "function" ? encodingOrCallback : callback;
    if (done) callbacks.push(done);
    return true;
  };
  return socket;
}

/** `pg`'s `stream` option: the socket it would make itself, corkable. */
export const corkableStream = ({ ssl }) => corkable(pgStream.getStream(ssl));
