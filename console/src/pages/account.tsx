// Account: sign up, sign in (a user through Supabase Auth, or the admin with the admin token),
// the profile (GET /me) and balance, sign out.
import { useState } from "preact/hooks";
import { api, unwrap } from "../api/client";
import { Curl } from "../components/curl";
import { Card, ErrorNote, Notice, Show, useAction, useLoad } from "../components/ui";
import { href } from "../router";
import { signIn, signInAdmin, signOut, signUp, userSignInAvailable, useSession } from "../session";

function UserForm() {
  const [mode, setMode] = useState<"in" | "up">("in");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const { busy, error, run } = useAction();
  const [message, setMessage] = useState<string | null>(null);
  const submit = (e: Event) => {
    e.preventDefault();
    void run(async () => (mode === "in" ? signIn(email, password) : setMessage(await signUp(email, password))));
  };
  if (!userSignInAvailable()) {
    return (
      <Card title="Sign in">
        <Notice tone="warn">User sign-in is not available: this API has no Supabase project configured (SUPABASE_URL, SUPABASE_ANON_KEY).</Notice>
      </Card>
    );
  }
  return (
    <Card title={mode === "in" ? "Sign in" : "Create an account"} id="user-sign-in">
      <form onSubmit={submit} class="form">
        <label>
          E-mail
          <input type="email" name="email" autoComplete="email" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
        </label>
        <label>
          Password
          <input
            type="password"
            name="password"
            autoComplete={mode === "in" ? "current-password" : "new-password"}
            required
            minLength={6}
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </label>
        <ErrorNote error={error} title={mode === "in" ? "Could not sign in" : "Could not create the account"} />
        {message && <Notice>{message}</Notice>}
        <div class="row">
          <button type="submit" class="button" disabled={busy}>
            {busy ? "Working…" : mode === "in" ? "Sign in" : "Create account"}
          </button>
          <button type="button" class="button button-quiet" onClick={() => setMode(mode === "in" ? "up" : "in")}>
            {mode === "in" ? "New here? Create an account" : "Have an account? Sign in"}
          </button>
        </div>
      </form>
    </Card>
  );
}

function AdminForm() {
  const [token, setToken] = useState("");
  const { busy, error, run } = useAction();
  const submit = (e: Event) => {
    e.preventDefault();
    void run(() => signInAdmin(token.trim()));
  };
  return (
    <Card title="Admin sign-in" id="admin-sign-in">
      <form onSubmit={submit} class="form">
        <label>
          Admin token
          <input type="password" name="admin-token" autoComplete="off" required value={token} onInput={(e) => setToken(e.currentTarget.value)} />
        </label>
        <p class="hint">The APP_ADMIN_TOKEN. It is kept in this tab only (sessionStorage) and forgotten when the tab closes.</p>
        <ErrorNote error={error} title="Could not sign in as admin" />
        <button type="submit" class="button" disabled={busy}>
          Sign in as admin
        </button>
      </form>
    </Card>
  );
}

function Profile() {
  const me = useLoad(() => unwrap(api.GET("/me", {})), []);
  return (
    <Card title="Profile">
      <Show state={me} what="your profile">
        {(m) => (
          <dl class="facts">
            <dt>E-mail</dt>
            <dd>{m.user.email || "—"}</dd>
            <dt>User id</dt>
            <dd class="mono">{m.user.id}</dd>
            <dt>Role</dt>
            <dd>{m.user.role}</dd>
            <dt>Balance</dt>
            <dd>
              {m.credits.balance} credits (<a href={href("billing")}>buy more</a>)
            </dd>
            <dt>Plan</dt>
            <dd>{m.subscription ? `${m.subscription.plan_id ?? "plan"} (${m.subscription.status})` : "none"}</dd>
          </dl>
        )}
      </Show>
      <Curl calls={[{ path: "/me" }]} />
    </Card>
  );
}

export function AccountPage() {
  const { session } = useSession();
  return (
    <>
      <h1>Account</h1>
      {session?.kind === "user" && (
        <div class="grid">
          <Profile />
          <Card title="Session">
            <p>Signed in as {session.email}.</p>
            <button type="button" class="button button-quiet" onClick={() => signOut()}>
              Sign out
            </button>
          </Card>
        </div>
      )}
      {session?.kind === "admin" && (
        <Card title="Signed in as admin">
          <p>Admin calls are free and see every user's jobs and files.</p>
          <button type="button" class="button button-quiet" onClick={() => signOut()}>
            Sign out
          </button>
        </Card>
      )}
      {!session && (
        <div class="grid">
          <UserForm />
          <AdminForm />
        </div>
      )}
    </>
  );
}
