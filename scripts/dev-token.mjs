#!/usr/bin/env node
// A user token for the running `scripts/dev`: an HS256 Supabase-style access token signed with
// the SUPABASE_JWT_SECRET of the configuration scripts/dev merged ($DEV_DATA_DIR/dev.env,
// default .data/dev.env), for a local test user. Local development only: it reads nothing
// but that file, which exists only while scripts/dev runs.
//
//   node scripts/dev-token.mjs [USER_ID]     prints the token (valid 24 h)

import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseEnv } from "node:util";
import { SignJWT } from "jose";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
/** The local test user every scripts/dev token names unless told otherwise. */
export const DEV_USER_ID = "00000000-0000-4000-8000-000000000001";
/** Its sign-in at scripts/dev's local Supabase Auth (scripts/local-auth), e.g. in the console. */
export const DEV_USER = { id: DEV_USER_ID, email: "dev@example.com", password: "dev-password" };

/** scripts/dev's merged configuration, or null when it is not running. */
export function devVars(dataDir = process.env.DEV_DATA_DIR || path.join(ROOT, ".data")) {
  const file = path.join(path.resolve(ROOT, dataDir), "dev.env");
  return fs.existsSync(file) ? parseEnv(fs.readFileSync(file, "utf8")) : null;
}

/** The token, or null when the configuration has no SUPABASE_JWT_SECRET. */
export async function devToken(vars, userId = DEV_USER_ID) {
  if (!vars.SUPABASE_JWT_SECRET) return null;
  const jwt = new SignJWT({ role: "authenticated", email: DEV_USER.email })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(userId)
    .setAudience("authenticated")
    .setIssuedAt()
    .setExpirationTime("24h");
  if (vars.SUPABASE_URL) jwt.setIssuer(`${vars.SUPABASE_URL.replace(/\/+$/, "")}/auth/v1`);
  return jwt.sign(new TextEncoder().encode(vars.SUPABASE_JWT_SECRET));
}

// run as a script (also through a symbolic link), not imported (nor from `node -e`)
if (process.argv[1] && fs.realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const vars = devVars();
  if (!vars) {
    console.error("dev-token: scripts/dev is not running (no dev.env in DEV_DATA_DIR, default .data)");
    process.exit(1);
  }
  const token = await devToken(vars, process.argv[2] ?? DEV_USER_ID);
  if (!token) {
    console.error("dev-token: scripts/dev runs without SUPABASE_JWT_SECRET: set one to mint user tokens");
    process.exit(1);
  }
  console.log(token);
}
