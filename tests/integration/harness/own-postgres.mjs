// A PostgreSQL 15 server of a test file's own (scripts/lib/postgres.sh under .data/), with
// every migration applied, for tests that stop it mid-run and start it again. Slower to start
// than createTestDatabase (initdb), so only for fault tests.
//
//   const pg = await startOwnPostgres("faults");
//   pg.url; await pg.stop(); await pg.start(); await pg.destroy();

import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import postgres from "postgres";
import { migrate } from "../../../scripts/migrate.mjs";
import { closedPort } from "./loopback-server.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const run = promisify(execFile);

function postgresSh(command) {
  return run("bash", ["-c", `source scripts/lib/postgres.sh && ${command}`], { cwd: ROOT });
}

export async function startOwnPostgres(name) {
  const dir = path.join(ROOT, ".data", `pg-${name}-${process.pid}`);
  const port = await closedPort();
  const url = `postgres://postgres:postgres@127.0.0.1:${port}/postgres`;
  const start = () => postgresSh(`pg_start '${dir}' ${port}`);
  await start();
  await migrate(url, { local: true });
  const sql = postgres(url, { onnotice: () => {}, prepare: false, fetch_types: false, max: 2 });
  return {
    url,
    /** A client for assertions; it reconnects by itself after a restart. */
    sql,
    /** pg_ctl stop -m fast: open sessions are cut, new connections refused. */
    stop: () => postgresSh(`pg_stop '${dir}'`),
    start,
    async destroy() {
      await sql.end({ timeout: 5 }).catch(() => {});
      await postgresSh(`pg_stop '${dir}'`).catch(() => {});
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
