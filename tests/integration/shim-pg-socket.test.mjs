// The socket node-postgres writes through (js-shim/effects/pg-socket.js): where the runtime's
// socket cannot cork (pg-cloudflare's, in Workers), a statement's messages written while corked
// go out as one write, and each writer's callback runs once that write is done.
import assert from "node:assert/strict";
import net from "node:net";
import { test } from "node:test";
import { corkable } from "../../js-shim/effects/pg-socket.js";

/** A socket like pg-cloudflare's: no cork, every write reported, its callback run later. */
function uncorkableSocket() {
  const writes = [];
  return {
    writes,
    write(data, encodingOrCallback, callback) {
      const done = typeof encodingOrCallback === "function" ? encodingOrCallback : callback;
      writes.push(Buffer.from(data).toString());
      queueMicrotask(() => done?.());
      return true;
    },
  };
}

test("messages written while corked go out as one write; their callbacks wait for it", async () => {
  const socket = corkable(uncorkableSocket());
  const called = [];
  socket.cork();
  socket.write(Buffer.from("P"));
  socket.write(Buffer.from("B"), () => called.push("bind"));
  socket.write(Buffer.from("S"), "utf8", () => called.push("sync"));
  assert.deepEqual(socket.writes, [], "nothing is written while corked");
  assert.deepEqual(called, []);
  socket.uncork();
  assert.deepEqual(socket.writes, ["PBS"]);
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(called, ["bind", "sync"]);

  socket.write(Buffer.from("X"));
  socket.uncork(); // nothing held: no empty write
  assert.deepEqual(socket.writes, ["PBS", "X"], "uncorked, a write goes straight through");
});

test("a socket that corks by itself is left as it is", () => {
  const socket = new net.Socket();
  const { write, cork } = socket;
  assert.equal(corkable(socket), socket);
  assert.equal(socket.write, write);
  assert.equal(socket.cork, cork);
  socket.destroy();
});
