// The frame of every page: a skip link, the header with the navigation and who is signed in,
// and the main region.
import type { ComponentChildren } from "preact";
import { href } from "../router";
import { signOut, useSession } from "../session";

const PAGES: [string, string][] = [
  ["", "Dashboard"],
  ["assets", "Assets"],
  ["jobs", "Jobs"],
  ["webhooks", "Webhooks"],
  ["account", "Account"],
  ["billing", "Billing"],
];

export function Layout({ current, children }: { current: string; children: ComponentChildren }) {
  const { session } = useSession();
  return (
    <>
      <a class="skip" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById("main")?.focus(); }}>
        Skip to content
      </a>
      <header class="top">
        <div class="top-row">
          <a class="brand" href={href()}>
            <span class="brand-mark" aria-hidden="true" />
            AlphoGen <span class="brand-sub">console</span>
          </a>
          <div class="who">
            {session ? (
              <>
                <span class="who-name" title={session.kind === "user" ? session.userId : "APP_ADMIN_TOKEN"}>
                  {session.kind === "admin" ? "Admin" : session.email}
                </span>
                <button type="button" class="button button-small button-quiet" onClick={() => signOut()}>
                  Sign out
                </button>
              </>
            ) : (
              <a class="button button-small" href={href("account")}>
                Sign in
              </a>
            )}
          </div>
        </div>
        <nav aria-label="Console">
          <ul>
            {PAGES.map(([path, label]) => (
              <li key={path}>
                <a href={href(...(path ? [path] : []))} aria-current={current === path ? "page" : undefined}>
                  {label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}

/** What a page that needs a caller shows to nobody. */
export function SignInFirst({ what }: { what: string }) {
  return (
    <section class="card">
      <h2>Sign in to see {what}</h2>
      <p>
        <a class="button" href={href("account")}>
          Sign in or create an account
        </a>
      </p>
    </section>
  );
}
