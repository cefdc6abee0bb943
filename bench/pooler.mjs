// PgBouncer in transaction mode in front of the benchmark's Postgres: the local stand-in for
// Hyperdrive. In production each request's client connects to Hyperdrive, which keeps warm
// connections to the database; connecting straight to Postgres instead forks a backend per
// request, and that fork (a few ms of CPU on the same two cores) would drown the Workers' own
// work in the figures of every endpoint that reads the database.
//
//   const pooler = await startPooler(serverUrl);   // postgres://user:pw@host:port/...
//   pooler.urlFor(dbUrl)   // the same database through the pooler
//   await pooler.stop();

import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { freePort } from "./profile.mjs";

const PGBOUNCER = process.env.AG_PGBOUNCER ?? "/usr/sbin/pgbouncer";
const READY_TIMEOUT_MS = 10_000;

function accepts(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on("error", () => resolve(false));
  });
}

/**
 * Starts PgBouncer through setpriv, which ties its life to this process (a run that crashes
 * leaves no pooler behind) and, as root, makes it the `postgres` user, like the server:
 * PgBouncer refuses to run as root. That user must then be able to read `dir`.
 */
function launch(dir, ini) {
  const args = ["--pdeathsig", "TERM"];
  if (process.getuid?.() === 0) {
    const [uid, gid] = ["-u", "-g"].map((flag) => Number(execFileSync("id", [flag, "postgres"], { encoding: "utf8" })));
    for (const f of [".", ...fs.readdirSync(dir)]) fs.chownSync(path.join(dir, f), uid, gid);
    args.push("--reuid", "postgres", "--regid", "postgres", "--init-groups");
  }
  return spawn("setpriv", [...args, "--", PGBOUNCER, ini], { stdio: ["ignore", "ignore", "pipe"] });
}

export async function startPooler(serverUrl) {
  if (!fs.existsSync(PGBOUNCER)) {
    throw new Error(`no PgBouncer at ${PGBOUNCER}: scripts/bench installs it (apt-get install pgbouncer)`);
  }
  const server = new URL(serverUrl);
  const user = decodeURIComponent(server.username);
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "alphogen-pooler-"));
  fs.writeFileSync(path.join(dir, "users.txt"), `"${user}" ""\n`);
  fs.writeFileSync(
    path.join(dir, "pgbouncer.ini"),
    [
      "[databases]",
      `* = host=${server.hostname} port=${server.port}`,
      "[pgbouncer]",
      "listen_addr = 127.0.0.1",
      `listen_port = ${port}`,
      "unix_socket_dir =",
      // loopback only, as the server itself (scripts/lib/postgres.sh): the user must be listed
      "auth_type = trust",
      `auth_file = ${path.join(dir, "users.txt")}`,
      "pool_mode = transaction",
      "max_client_conn = 1000",
      "default_pool_size = 16",
      // a line per connection would cost CPU on the cores the Workers run on
      "log_connections = 0",
      "log_disconnections = 0",
      "logfile =",
      "",
    ].join("\n"),
  );
  const child = launch(dir, path.join(dir, "pgbouncer.ini"));
  let stderr = "";
  child.stderr.on("data", (chunk) => {
    if (stderr.length < 16_384) stderr += chunk;
  });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      await exited;
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!(await accepts(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`PgBouncer did not start on port ${port}:\n${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    port,
    urlFor(dbUrl) {
      const url = new URL(dbUrl);
      url.hostname = "127.0.0.1";
      url.port = String(port);
      return url.href;
    },
    stop,
  };
}
