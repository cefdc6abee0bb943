// The local Supabase Auth's state: its ES256 signing key, the users (scrypt password hashes)
// and the live refresh tokens, kept in one JSON file so that a restarted scripts/dev keeps its
// users and their sessions. Without a file, everything lives in memory.

import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { loadKey, makeKey, saveKey } from "./tokens.mjs";

function hashPassword(password, salt = crypto.randomBytes(16).toString("hex")) {
  return `${salt}:${crypto.scryptSync(password, salt, 32).toString("hex")}`;
}

function passwordMatches(password, stored) {
  const [salt, hash] = stored.split(":");
  const actual = crypto.scryptSync(password, salt, 32);
  return crypto.timingSafeEqual(actual, Buffer.from(hash, "hex"));
}

export async function createStore(file) {
  const saved = file && fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : null;
  const key = saved?.key ? await loadKey(saved.key) : await makeKey("ES256");
  const state = { key: await saveKey(key), users: saved?.users ?? [], refreshTokens: saved?.refreshTokens ?? {} };

  function persist() {
    if (!file) return;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.tmp`;
    fs.writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
    fs.renameSync(tmp, file);
  }
  persist();

  const publicUser = (u) => u && { id: u.id, email: u.email, created_at: u.created_at, user_metadata: u.user_metadata };

  return {
    key,
    userCount: () => state.users.length,
    findUser: (email) => publicUser(state.users.find((u) => u.email === email)),
    userById: (id) => publicUser(state.users.find((u) => u.id === id)),
    addUser({ id = crypto.randomUUID(), email, password, data }) {
      const user = {
        id,
        email,
        password: hashPassword(password),
        created_at: new Date().toISOString(),
        user_metadata: { ...(data ?? {}), email, email_verified: true, phone_verified: false },
      };
      state.users.push(user);
      persist();
      return publicUser(user);
    },
    /** A user that must exist with this id, e-mail and password (a seeded test user). */
    ensureUser({ id, email, password }) {
      const known = state.users.find((u) => u.id === id || u.email === email);
      if (known) return publicUser(known);
      return this.addUser({ id, email, password });
    },
    checkPassword(email, password) {
      const user = state.users.find((u) => u.email === email);
      return user && passwordMatches(password, user.password) ? publicUser(user) : null;
    },
    issueRefreshToken(userId, sessionId) {
      const token = crypto.randomBytes(16).toString("base64url");
      state.refreshTokens[token] = { userId, sessionId };
      persist();
      return token;
    },
    /** The user and session of a live refresh token, which is spent (GoTrue rotates them). */
    spendRefreshToken(token) {
      const entry = Object.hasOwn(state.refreshTokens, token) ? state.refreshTokens[token] : null;
      if (!entry) return null;
      delete state.refreshTokens[token];
      persist();
      const user = this.userById(entry.userId);
      return user ? { user, sessionId: entry.sessionId } : null;
    },
    /** Revokes a user's refresh tokens: of one session, or all of them (sessionId null). */
    revoke(userId, sessionId) {
      for (const [token, entry] of Object.entries(state.refreshTokens)) {
        if (entry.userId === userId && (sessionId === null || entry.sessionId === sessionId)) delete state.refreshTokens[token];
      }
      persist();
    },
  };
}
