// Webhooks: the caller's signing secret for job webhooks and how a receiver verifies a
// delivery; the delivery log with redelivery; the /webhooks/test call (whose WEBHOOK_SECRET is
// the operator's: the console never asks for it, stores it or sends it).
import { useState } from "preact/hooks";
import { api, unwrap, type WebhookDelivery } from "../api/client";
import { Curl } from "../components/curl";
import { SignInFirst } from "../components/layout";
import { Card, Empty, ErrorNote, Notice, Pager, Show, StatusBadge, useAction, useCursors, useLoad, when } from "../components/ui";
import { href } from "../router";
import { useSession } from "../session";

const PAGE = 20;

const VERIFY = `// npm install standardwebhooks
import { Webhook } from "standardwebhooks";

const wh = new Webhook(process.env.ALPHOGEN_WEBHOOK_SECRET); // the whsec_... above
// in your handler, with the raw body as received:
const event = wh.verify(rawBody, {
  "webhook-id": req.headers["webhook-id"],
  "webhook-timestamp": req.headers["webhook-timestamp"],
  "webhook-signature": req.headers["webhook-signature"],
}); // throws unless signed with your secret within 5 minutes
// event: {"type":"job.completed","timestamp":"…","data":{…the job…}}`;

function Secret() {
  const secret = useLoad(() => unwrap(api.GET("/webhooks/secret", {})), []);
  const [shown, setShown] = useState(false);
  return (
    <Card title="Signing secret">
      <p>
        Give a job a <span class="mono">webhook_url</span> and, when it finishes, the API POSTs the job there, signed with your own secret
        (Standard Webhooks: <span class="mono">webhook-id</span>, <span class="mono">webhook-timestamp</span>, <span class="mono">webhook-signature</span>).
      </p>
      <Show state={secret} what="your webhook secret">
        {(s) => (
          <div class="row">
            {shown ? (
              <input type="text" readOnly value={s.secret} aria-label="Your webhook signing secret" class="mono grow" />
            ) : (
              <input type="password" readOnly value={s.secret} aria-label="Your webhook signing secret" class="mono grow" />
            )}
            <button type="button" class="button button-small button-quiet" aria-pressed={shown} onClick={() => setShown(!shown)}>
              {shown ? "Hide" : "Show"}
            </button>
          </div>
        )}
      </Show>
      <h3>Verify a delivery</h3>
      <pre tabIndex={0}><code>{VERIFY}</code></pre>
      <Curl calls={[{ path: "/webhooks/secret" }]} />
    </Card>
  );
}

function Delivery({ d, onRedelivered }: { d: WebhookDelivery; onRedelivered: () => void }) {
  const { error, run } = useAction();
  const [done, setDone] = useState(false);
  const redeliver = () =>
    run(async () => {
      await unwrap(api.POST("/webhooks/deliveries/{id}/redeliver", { params: { path: { id: d.id } } }));
      setDone(true);
      onRedelivered();
    });
  const last = d.attempts[d.attempts.length - 1];
  return (
    <li class="delivery">
      <div class="asset-head">
        <div>
          <div>
            <StatusBadge status={d.status} /> <span class="mono">{d.event}</span> → <span class="mono break">{d.url}</span>
          </div>
          <div class="muted">
            job <a href={href("jobs", d.job_id)} class="mono">{d.job_id.slice(0, 8)}</a> · {d.attempt_count} attempt{d.attempt_count === 1 ? "" : "s"}
            {last && <> · last: {last.status_code || last.error} at {when(last.at)}</>}
            {d.next_attempt_at && <> · next {when(d.next_attempt_at)}</>}
          </div>
        </div>
        <button type="button" class="button button-small button-quiet" onClick={redeliver}>Redeliver</button>
      </div>
      {done && <Notice tone="success">Queued for redelivery.</Notice>}
      <ErrorNote error={error} title="Could not redeliver" />
    </li>
  );
}

function Deliveries() {
  const { cursor, back, forward } = useCursors();
  const list = useLoad(() => unwrap(api.GET("/webhooks/deliveries", { params: { query: { limit: PAGE, cursor } } })), [cursor]);
  return (
    <Card title="Deliveries">
      <Show state={list} what="deliveries">
        {(page) => (
          <>
            {page.deliveries.length ? (
              <ul class="assets">
                {page.deliveries.map((d) => <Delivery key={d.id} d={d} onRedelivered={list.reload} />)}
              </ul>
            ) : (
              <Empty>No webhook deliveries yet: create a job with a webhook_url to see one here.</Empty>
            )}
            <Pager back={back} forward={forward(page.cursor)} />
          </>
        )}
      </Show>
      <Curl calls={[{ path: `/webhooks/deliveries?limit=${PAGE}` }, { method: "POST", path: "/webhooks/deliveries/<delivery id>/redeliver" }]} />
    </Card>
  );
}

function TestEndpoint() {
  const { config } = useSession();
  const base = config?.api_base ?? location.origin;
  return (
    <Card title="Test endpoint">
      <p>
        <span class="mono">POST /webhooks/test</span> takes the operator's <span class="mono">WEBHOOK_SECRET</span>, which stays on the server:
        run this where that secret is set.
      </p>
      <pre tabIndex={0}><code>{`curl -s -X POST '${base}/webhooks/test' \\\n  -H "X-Webhook-Secret: $WEBHOOK_SECRET" \\\n  -H 'Content-Type: application/json' \\\n  -d '{"type":"ping"}'`}</code></pre>
    </Card>
  );
}

export function WebhooksPage() {
  const { session } = useSession();
  return (
    <>
      <h1>Webhooks</h1>
      {session ? (
        <>
          <Secret />
          <Deliveries />
        </>
      ) : (
        <SignInFirst what="your webhooks" />
      )}
      <TestEndpoint />
    </>
  );
}
