// Billing: the catalog (credit packs and plans) with Stripe Checkout, the customer portal, the
// current plan, and the credit ledger page by page.
import { useState } from "preact/hooks";
import { api, unwrap, type BillingProduct } from "../api/client";
import { Curl } from "../components/curl";
import { SignInFirst } from "../components/layout";
import { Card, Empty, ErrorNote, Notice, Pager, Show, useAction, useCursors, useLoad, when } from "../components/ui";
import { href } from "../router";
import { useSession } from "../session";

const PAGE = 20;

/** A page of this console the Worker accepts as a Stripe return URL (its own origin). */
function consoleUrl(base: string, query: string) {
  return `${base}/console/#/billing?${query}`;
}

function Catalog({ base }: { base: string }) {
  const catalog = useLoad(() => unwrap(api.GET("/billing/catalog")), []);
  const { error, run } = useAction();
  const [busy, setBusy] = useState<string | null>(null);
  const buy = (product: BillingProduct) =>
    run(async () => {
      setBusy(product.id);
      const body = {
        ...(product.kind === "pack" ? { pack_id: product.id } : { plan_id: product.id }),
        success_url: consoleUrl(base, "checkout=success"),
        cancel_url: consoleUrl(base, "checkout=cancel"),
      };
      try {
        location.assign((await unwrap(api.POST("/billing/checkout", { body }))).url);
      } catch (err) {
        setBusy(null);
        throw err;
      }
    });
  const products = (list: BillingProduct[]) => (
    <ul class="products">
      {list.map((p) => (
        <li key={p.id} class="product">
          <h3>{p.name}</h3>
          <p class="big">
            {p.credits} <span class="unit">credits{p.interval ? ` / ${p.interval}` : ""}</span>
          </p>
          <button type="button" class="button" disabled={busy !== null} onClick={() => buy(p)} aria-label={`${p.kind === "plan" ? "Subscribe to" : "Buy"} ${p.name}`}>
            {busy === p.id ? "Opening Checkout…" : p.kind === "plan" ? "Subscribe" : "Buy"}
          </button>
        </li>
      ))}
    </ul>
  );
  return (
    <Card title="Buy credits">
      <ErrorNote error={error} title="Checkout could not start" />
      <Show state={catalog} what="the catalog">
        {(c) =>
          c.packs.length + c.plans.length === 0 ? (
            <Empty>Nothing is for sale on this API yet.</Empty>
          ) : (
            <>
              {c.packs.length > 0 && <><h3 class="sub">Credit packs</h3>{products(c.packs)}</>}
              {c.plans.length > 0 && <><h3 class="sub">Plans</h3>{products(c.plans)}</>}
            </>
          )
        }
      </Show>
      <Curl calls={[{ path: "/billing/catalog", auth: false }, { method: "POST", path: "/billing/checkout", body: { pack_id: "<pack id>", success_url: consoleUrl(base, "checkout=success") } }]} />
    </Card>
  );
}

function Subscription({ base }: { base: string }) {
  const sub = useLoad(() => unwrap(api.GET("/billing/subscription", {})), []);
  const { error, run } = useAction();
  const portal = () =>
    run(async () => location.assign((await unwrap(api.POST("/billing/portal", { body: { return_url: consoleUrl(base, "portal=return") } }))).url));
  return (
    <Card title="Plan and payments">
      <Show state={sub} what="your plan">
        {(s) =>
          s.subscription ? (
            <dl class="facts">
              <dt>Plan</dt>
              <dd>{s.subscription.plan_id ?? s.subscription.price_id}</dd>
              <dt>Status</dt>
              <dd>{s.subscription.status}{s.subscription.cancel_at_period_end ? " (ends at the period's end)" : ""}</dd>
              <dt>Renews</dt>
              <dd>{when(s.subscription.current_period_end)}</dd>
            </dl>
          ) : (
            <Empty>No plan: you pay per credit pack.</Empty>
          )
        }
      </Show>
      <ErrorNote error={error} title="The portal could not open" />
      <button type="button" class="button button-quiet" onClick={portal}>Manage payments (Stripe portal)</button>
      <Curl calls={[{ path: "/billing/subscription" }, { method: "POST", path: "/billing/portal", body: { return_url: consoleUrl(base, "portal=return") } }]} />
    </Card>
  );
}

function Ledger() {
  const { cursor, back, forward } = useCursors();
  const credits = useLoad(() => unwrap(api.GET("/credits", {})), []);
  const page = useLoad(() => unwrap(api.GET("/credits/ledger", { params: { query: { cursor, limit: PAGE } } })), [cursor]);
  return (
    <Card title="Credit ledger" actions={credits.data && <span class="pill" data-testid="balance">Balance {credits.data.balance}</span>}>
      <Show state={page} what="the ledger">
        {(p) => (
          <>
            {p.entries.length ? (
              <div class="table-wrap">
                <table>
                  <caption class="visually-hidden">Credit ledger, newest first</caption>
                  <thead>
                    <tr>
                      <th scope="col">When</th>
                      <th scope="col">Kind</th>
                      <th scope="col" class="num">Credits</th>
                      <th scope="col">Reason</th>
                    </tr>
                  </thead>
                  <tbody>
                    {p.entries.map((e) => (
                      <tr key={e.id}>
                        <td>{when(e.created_at)}</td>
                        <td>{e.kind}</td>
                        <td class={`num ${e.delta < 0 ? "neg" : "pos"}`}>{e.delta > 0 ? `+${e.delta}` : e.delta}</td>
                        <td>{e.job_id ? <a href={href("jobs", e.job_id)}>{e.reason ?? "job"}</a> : (e.reason ?? "—")}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            ) : (
              <Empty>No ledger entries yet.</Empty>
            )}
            <Pager back={back} forward={forward(p.cursor)} labels={["Newer", "Older"]} />
          </>
        )}
      </Show>
      <Curl calls={[{ path: `/credits/ledger?limit=${PAGE}` }]} />
    </Card>
  );
}

export function BillingPage({ query }: { query: URLSearchParams }) {
  const { session, config } = useSession();
  const base = config?.api_base ?? location.origin;
  const checkout = query.get("checkout");
  return (
    <>
      <h1>Billing</h1>
      {checkout === "success" && <Notice tone="success">Payment received. The credits arrive as soon as Stripe confirms it (usually seconds).</Notice>}
      {checkout === "cancel" && <Notice tone="warn">Checkout was cancelled; nothing was charged.</Notice>}
      {session?.kind === "user" ? (
        <>
          <Catalog base={base} />
          <div class="grid">
            <Subscription base={base} />
          </div>
          <Ledger key={checkout ?? ""} />
        </>
      ) : session?.kind === "admin" ? (
        <Notice>Billing is per user: the admin has no credits. Grant credits with POST /admin/credits.</Notice>
      ) : (
        <SignInFirst what="billing" />
      )}
    </>
  );
}
