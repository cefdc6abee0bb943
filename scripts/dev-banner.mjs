#!/usr/bin/env node
// scripts/dev's welcome: once the Worker answers GET /health, prints what a newcomer needs
// (the API and docs URLs, the admin token in use, a ready token for the local test user).
// Local development only: scripts/dev runs it, with its own merged configuration.
//
//   node scripts/dev-banner.mjs URL

import { setTimeout as sleep } from "node:timers/promises";
import { DEV_USER, DEV_USER_ID, devToken, devVars } from "./dev-token.mjs";

const url = process.argv[2];

async function healthy() {
  try {
    const res = await fetch(`${url}/health`);
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

while (!(await healthy())) await sleep(250);
const vars = devVars();
const token = vars && (await devToken(vars));
// scripts/dev starts the local Supabase Auth for a loopback SUPABASE_URL, with the test user
const localAuth = /^http:\/\/127\.0\.0\.1:\d+\/?$/.test(vars?.SUPABASE_URL ?? "");
const lines = [
  `ready: API ${url}   (export API=${url})`,
  `  API reference  ${url}/docs/   (the document itself: ${url}/openapi.json)`,
  `  console        ${url}/console/`,
  ...(localAuth ? [`  sign in as     ${DEV_USER.email} / ${DEV_USER.password}   (the local Supabase Auth, ${vars.SUPABASE_URL})`] : []),
  vars?.APP_ADMIN_TOKEN
    ? `  admin token    ${vars.APP_ADMIN_TOKEN}   (Authorization: Bearer ...; APP_ADMIN_TOKEN)`
    : "  admin token    none: APP_ADMIN_TOKEN is unset, admin is disabled",
  ...(token
    ? [`  user token     ${token}`,
       `                 (the local test user ${DEV_USER_ID}, 24 h; node scripts/dev-token.mjs mints another)`]
    : ["  user token     none: SUPABASE_JWT_SECRET is unset, so no local user tokens"]),
];
console.error(lines.map((l) => `[alphogen] ${l}`).join("\n"));
