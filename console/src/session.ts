// Who is signed in: a user (a Supabase session from supabase-js, against the project that
// GET /client-config names) or the admin (the APP_ADMIN_TOKEN, kept in sessionStorage only,
// so it leaves with the tab). Every API call carries the current one's token.
import { createClient, type Session as SupabaseSession, type SupabaseClient } from "@supabase/supabase-js";
import { useEffect, useState } from "preact/hooks";
import { api, ApiError, setBearer, unwrap, type ClientConfig } from "./api/client";

export type Session =
  | { kind: "user"; token: string; email: string; userId: string }
  | { kind: "admin"; token: string }
  | null;

export interface State {
  config: ClientConfig | null;
  session: Session;
  ready: boolean;
  startError: string | null;
}

const ADMIN_KEY = "alphogen.console.admin";
let state: State = { config: null, session: null, ready: false, startError: null };
let supabase: SupabaseClient | null = null;
const listeners = new Set<() => void>();

function update(next: Partial<State>) {
  state = { ...state, ...next };
  setBearer(state.session?.token ?? null);
  for (const listener of listeners) listener();
}

export function useSession(): State {
  const [, rerender] = useState(0);
  useEffect(() => {
    const listener = () => rerender((n) => n + 1);
    listeners.add(listener);
    return () => listeners.delete(listener);
  }, []);
  return state;
}

export function currentSession() {
  return state.session;
}

function fromSupabase(session: SupabaseSession | null): Session {
  if (!session) return null;
  return { kind: "user", token: session.access_token, email: session.user.email ?? "", userId: session.user.id };
}

/** Reads the settings and restores a session (the admin's of this tab, or the user's). */
export async function start() {
  try {
    const config = await unwrap(api.GET("/client-config"));
    if (config.supabase_url && config.supabase_anon_key) {
      supabase = createClient(config.supabase_url, config.supabase_anon_key, {
        auth: { storageKey: "alphogen.console.auth", detectSessionInUrl: false, autoRefreshToken: true, persistSession: true },
      });
      supabase.auth.onAuthStateChange((_event, session) => {
        if (state.session?.kind !== "admin") update({ session: fromSupabase(session) });
      });
    }
    const admin = sessionStorage.getItem(ADMIN_KEY);
    const user = supabase ? fromSupabase((await supabase.auth.getSession()).data.session) : null;
    update({ config, session: admin ? { kind: "admin", token: admin } : user, ready: true });
  } catch (err) {
    update({ ready: true, startError: err instanceof Error ? err.message : String(err) });
  }
}

export function userSignInAvailable() {
  return supabase !== null;
}

function requireSupabase(): SupabaseClient {
  if (!supabase) throw new ApiError(501, "supabase_not_configured", "This API has no Supabase project configured for sign-in.");
  return supabase;
}

export async function signIn(email: string, password: string) {
  const { error } = await requireSupabase().auth.signInWithPassword({ email, password });
  if (error) throw new ApiError(error.status ?? 400, error.code ?? "sign_in_failed", error.message);
}

export async function signUp(email: string, password: string) {
  const { data, error } = await requireSupabase().auth.signUp({ email, password });
  if (error) throw new ApiError(error.status ?? 400, error.code ?? "sign_up_failed", error.message);
  if (!data.session) return "Check your e-mail to confirm the address, then sign in.";
  return null;
}

/** Signs in with the admin token once the API accepts it (GET /health?deep=1 answers). */
export async function signInAdmin(token: string) {
  const res = await fetch(`${location.origin}/health?deep=1`, { headers: { authorization: `Bearer ${token}` } });
  if (res.status === 401 || res.status === 403) throw new ApiError(res.status, "unauthorized", "That is not this API's admin token.");
  sessionStorage.setItem(ADMIN_KEY, token);
  update({ session: { kind: "admin", token } });
}

export async function signOut() {
  if (state.session?.kind === "admin") {
    // back to the user this browser is signed in as, if any
    sessionStorage.removeItem(ADMIN_KEY);
    update({ session: supabase ? fromSupabase((await supabase.auth.getSession()).data.session) : null });
    return;
  }
  update({ session: null });
  await supabase?.auth.signOut();
}
