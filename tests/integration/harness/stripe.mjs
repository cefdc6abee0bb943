// A stand-in for Stripe's API (`https://api.stripe.com`) on a loopback port: the customer,
// Checkout Session and customer-portal endpoints this API calls, with Stripe's request rules
// (bearer secret key, form-encoded bodies, Idempotency-Key replay) and response objects shaped
// like Stripe's (API 2025-03-31.basil). It also plays the other half of Stripe: what happens
// when the user pays, refunds, renews, as the Event objects Stripe would send, and the
// Stripe-Signature header for them, made by the official `stripe` package.
//
//   const stripe = await startStripe({ secretKey: "sk_test_x", webhookSecret: "whsec_x",
//                                      prices: { price_credits_100: { unit_amount: 500 } } });
//   stripe.url                     // "http://127.0.0.1:PORT": the Worker's STRIPE_API_BASE
//   stripe.requests                // every request: [{method, path, headers, text, form, ...}]
//   stripe.customers / .sessions   // Map id → object, as created
//   const session = stripe.pay(sessionId)             // the user pays: the session completes
//   const event = stripe.event("checkout.session.completed", session)   // an Event around it
//   const { body, header } = stripe.sign(event)        // raw body + Stripe-Signature
//   stripe.sign(event, { secret, timestamp, payload }) // other secret / time / body
//   stripe.refund(paymentIntent, amount?)   // the charge after a (partial) refund
//   stripe.dispute(paymentIntent, { status, amount })   // the payment's dispute (one per payment)
//   stripe.subscription(subId, { status, periodEnd, cancelAtPeriodEnd })   // a subscription object
//   stripe.invoicePaid(subId, { billingReason, amount })   // a new paid invoice of the subscription
//   stripe.paymentIntentOf(invoiceId)  // the payment intent that paid an invoice (null for $0)
//   await stripe.close();
//
// Endpoints (JSON answers; errors {"error":{"type","code"?,"message"}} with Stripe's statuses):
//   POST /v1/customers                     email?, metadata[...] → customer (cus_...)
//   POST /v1/checkout/sessions             mode, line_items[0][price|quantity], success_url,
//                                          cancel_url, customer?, client_reference_id?,
//                                          metadata[...], subscription_data[metadata][...]
//                                          → checkout.session (cs_test_..., url, status open)
//   POST /v1/billing_portal/sessions       customer, return_url? → billing_portal.session (url)
//   GET  /v1/invoice_payments              invoice?, status?, payment[type]?, payment[payment_intent]?
//                                          → list of invoice_payment (basil: how invoices were paid)
// Every POST: `Authorization: Bearer <secretKey>` (else 401 authentication_error), a form body
// (else 400), an Idempotency-Key replays the first answer for the same body and is a 400
// idempotency_error with another body (Stripe's behaviour).

import crypto from "node:crypto";
import Stripe from "stripe";
import { startLoopbackServer } from "./loopback-server.mjs";

export const API_VERSION = "2025-03-31.basil";

const signer = new Stripe("sk_test_signing_only");
const now = () => Math.floor(Date.now() / 1000);
const newId = (prefix) => `${prefix}_${crypto.randomBytes(12).toString("base64url").replace(/[-_]/g, "x")}`;

/** Stripe's nested form keys (`a[b][0][c]=v`) as objects and arrays. */
export function parseForm(text) {
  const root = {};
  for (const [key, value] of new URLSearchParams(text)) {
    const parts = key.match(/^[^[\]]+|\[[^[\]]*\]/g)?.map((p) => p.replace(/^\[|\]$/g, "")) ?? [key];
    let node = root;
    parts.forEach((part, i) => {
      if (i === parts.length - 1) node[part] = value;
      else node = node[part] ??= /^\d+$/.test(parts[i + 1]) ? [] : {};
    });
  }
  return root;
}

const stripeError = (status, type, message, code) => ({
  status,
  body: { error: { type, message, ...(code ? { code } : {}) } },
});

/**
 * @param {object} o
 * @param {string} o.secretKey       the accepted sk_ key
 * @param {string} o.webhookSecret   the whsec_ secret events are signed with
 * @param {object} [o.prices]        price id → {unit_amount, currency?, recurring?: {interval}}
 */
export async function startStripe({ secretKey, webhookSecret, prices = {} }) {
  const customers = new Map();
  const sessions = new Map();
  const portalSessions = new Map();
  const subscriptions = new Map(); // id → {customer, price, periodEnd, invoiced}
  const invoicePayments = new Map(); // inpay id → invoice_payment
  const charges = new Map(); // payment intent → {id, amount, currency, customer} of its charge
  const idempotent = new Map(); // `${path} ${key}` → {text, answer}

  function price(id) {
    const p = prices[id];
    return p ? { id, object: "price", currency: "usd", type: p.recurring ? "recurring" : "one_time", ...p } : null;
  }

  /** Auth, form parsing and Idempotency-Key replay around one create handler. */
  function post(path, create) {
    return (req) => {
      if (req.headers.authorization !== `Bearer ${secretKey}`) {
        return stripeError(401, "invalid_request_error", "Invalid API Key provided");
      }
      if (!(req.headers["content-type"] ?? "").startsWith("application/x-www-form-urlencoded")) {
        return stripeError(400, "invalid_request_error", "Invalid request: expected a form-encoded body");
      }
      const key = req.headers["idempotency-key"];
      const slot = key === undefined ? null : `${path} ${key}`;
      if (slot && idempotent.has(slot)) {
        const first = idempotent.get(slot);
        if (first.text !== req.text) {
          return stripeError(400, "idempotency_error", "Keys for idempotent requests can only be used with the same parameters they were first used with.");
        }
        return { ...first.answer, headers: { "idempotent-replayed": "true" } };
      }
      req.form = parseForm(req.text);
      const answer = create(req.form);
      if (slot && answer.status < 500) idempotent.set(slot, { text: req.text, answer });
      return answer;
    };
  }

  /** Auth around a GET (query parameters, no body). */
  function get(read) {
    return (req) => {
      if (req.headers.authorization !== `Bearer ${secretKey}`) {
        return stripeError(401, "invalid_request_error", "Invalid API Key provided");
      }
      return read(req.query);
    };
  }

  const server = await startLoopbackServer({
    "GET /v1/invoice_payments": get((q) => {
      const data = [...invoicePayments.values()].filter(
        (p) =>
          (q.invoice === undefined || p.invoice === q.invoice) &&
          (q.status === undefined || p.status === q.status) &&
          (q["payment[type]"] === undefined || p.payment.type === q["payment[type]"]) &&
          (q["payment[payment_intent]"] === undefined || p.payment.payment_intent === q["payment[payment_intent]"]),
      );
      return { status: 200, body: { object: "list", data, has_more: false, url: "/v1/invoice_payments" } };
    }),

    "POST /v1/customers": post("/v1/customers", (f) => {
      const customer = {
        id: newId("cus"),
        object: "customer",
        created: now(),
        email: f.email ?? null,
        livemode: false,
        metadata: f.metadata ?? {},
      };
      customers.set(customer.id, customer);
      return { status: 200, body: customer };
    }),

    "POST /v1/checkout/sessions": post("/v1/checkout/sessions", (f) => {
      if (f.mode !== "payment" && f.mode !== "subscription") {
        return stripeError(400, "invalid_request_error", "Invalid mode", "parameter_invalid_empty");
      }
      const item = f.line_items?.[0];
      const p = price(item?.price);
      if (!p) return stripeError(400, "invalid_request_error", `No such price: '${item?.price}'`, "resource_missing");
      if ((f.mode === "subscription") !== Boolean(p.recurring)) {
        return stripeError(400, "invalid_request_error", "The price's type does not match the mode");
      }
      if (!f.success_url) return stripeError(400, "invalid_request_error", "Missing required param: success_url.");
      if (f.customer && !customers.has(f.customer)) {
        return stripeError(400, "invalid_request_error", `No such customer: '${f.customer}'`, "resource_missing");
      }
      const id = newId("cs_test");
      const quantity = Number(item.quantity ?? 1);
      const session = {
        id,
        object: "checkout.session",
        amount_subtotal: p.unit_amount * quantity,
        amount_total: p.unit_amount * quantity,
        cancel_url: f.cancel_url ?? null,
        client_reference_id: f.client_reference_id ?? null,
        created: now(),
        currency: p.currency,
        customer: f.customer ?? null,
        customer_email: f.customer_email ?? null,
        expires_at: now() + 86400,
        livemode: false,
        metadata: f.metadata ?? {},
        mode: f.mode,
        payment_intent: null,
        payment_status: "unpaid",
        status: "open",
        subscription: null,
        success_url: f.success_url,
        url: `https://checkout.stripe.com/c/pay/${id}`,
        // what the stand-in needs later, not part of Stripe's object
        [Symbol.for("line")]: { price: p, quantity, subscriptionMetadata: f.subscription_data?.metadata ?? {} },
      };
      sessions.set(id, session);
      return { status: 200, body: session };
    }),

    "POST /v1/billing_portal/sessions": post("/v1/billing_portal/sessions", (f) => {
      if (!customers.has(f.customer)) {
        return stripeError(400, "invalid_request_error", `No such customer: '${f.customer}'`, "resource_missing");
      }
      const id = newId("bps");
      const portal = {
        id,
        object: "billing_portal.session",
        created: now(),
        customer: f.customer,
        livemode: false,
        return_url: f.return_url ?? null,
        url: `https://billing.stripe.com/p/session/test_${id}`,
      };
      portalSessions.set(id, portal);
      return { status: 200, body: portal };
    }),
  });

  /** The user completes Checkout: the session as checkout.session.completed carries it. */
  function pay(sessionId, { paymentStatus = "paid" } = {}) {
    const session = sessions.get(sessionId);
    if (!session) throw new Error(`stripe stand-in: no session ${sessionId}`);
    const line = session[Symbol.for("line")];
    session.status = "complete";
    session.payment_status = paymentStatus;
    if (session.mode === "payment") session.payment_intent ??= newId("pi");
    else if (!session.subscription) {
      session.subscription = newId("sub");
      subscriptions.set(session.subscription, {
        customer: session.customer,
        price: line.price,
        metadata: line.subscriptionMetadata,
        periodEnd: now() + 30 * 86400,
      });
    }
    return structuredClone(session);
  }

  /** A Stripe Event around `object`. */
  function event(type, object, { created = now(), id = newId("evt") } = {}) {
    return {
      id,
      object: "event",
      api_version: API_VERSION,
      created,
      data: { object },
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type,
    };
  }

  /** {body, header}: the raw JSON and its Stripe-Signature (official library). */
  function sign(evt, { secret = webhookSecret, timestamp = now(), payload } = {}) {
    const body = payload ?? JSON.stringify(evt, null, 2);
    return { body, header: signer.webhooks.generateTestHeaderString({ payload: body, secret, timestamp }) };
  }

  /** The charge behind a payment intent (a pack session's or an invoice's). */
  function chargeOf(paymentIntent) {
    if (!charges.has(paymentIntent)) {
      const session = [...sessions.values()].find((s) => s.payment_intent === paymentIntent);
      if (!session) throw new Error(`stripe stand-in: no payment ${paymentIntent}`);
      charges.set(paymentIntent, { id: newId("ch"), amount: session.amount_total, currency: session.currency, customer: session.customer });
    }
    return charges.get(paymentIntent);
  }

  /** The charge of a payment intent after refunding `amount` (default all). */
  function refund(paymentIntent, amount) {
    const charge = chargeOf(paymentIntent);
    const refunded = amount ?? charge.amount;
    return {
      id: charge.id,
      object: "charge",
      amount: charge.amount,
      amount_captured: charge.amount,
      amount_refunded: refunded,
      captured: true,
      currency: charge.currency,
      customer: charge.customer,
      livemode: false,
      paid: true,
      payment_intent: paymentIntent,
      refunded: refunded >= charge.amount,
      status: "succeeded",
    };
  }

  /** The dispute of a payment's charge (one per payment), in `status`, for `amount` (default all). */
  function dispute(paymentIntent, { status = "needs_response", amount } = {}) {
    const charge = chargeOf(paymentIntent);
    charge.disputeId ??= newId("dp");
    return {
      id: charge.disputeId,
      object: "dispute",
      amount: amount ?? charge.amount,
      charge: charge.id,
      created: now(),
      currency: charge.currency,
      livemode: false,
      payment_intent: paymentIntent,
      reason: "fraudulent",
      status,
    };
  }

  /** A subscription object in the given state (the period on its items, as since basil). */
  function subscription(subId, { status = "active", periodEnd, cancelAtPeriodEnd = false } = {}) {
    const sub = subscriptions.get(subId);
    if (!sub) throw new Error(`stripe stand-in: no subscription ${subId}`);
    if (periodEnd !== undefined) sub.periodEnd = periodEnd;
    const start = sub.periodEnd - 30 * 86400;
    return {
      id: subId,
      object: "subscription",
      cancel_at_period_end: cancelAtPeriodEnd,
      canceled_at: status === "canceled" ? now() : null,
      created: start,
      currency: sub.price.currency,
      customer: sub.customer,
      items: {
        object: "list",
        data: [
          {
            id: newId("si"),
            object: "subscription_item",
            current_period_end: sub.periodEnd,
            current_period_start: start,
            price: sub.price,
            quantity: 1,
            subscription: subId,
          },
        ],
      },
      livemode: false,
      metadata: sub.metadata,
      status,
    };
  }

  /**
   * A new paid invoice of the subscription (basil shape: parent.subscription_details, line
   * pricing and period, no payment_intent: its invoice_payment says how it was paid).
   * `billingReason` subscription_create / subscription_cycle starts the next period (the first
   * one for the subscription's first invoice); others (subscription_update: a proration) bill
   * within the current one. `amount` defaults to the plan's price; 0 makes no payment.
   */
  function invoicePaid(subId, { billingReason = "subscription_cycle", amount } = {}) {
    const sub = subscriptions.get(subId);
    if (!sub) throw new Error(`stripe stand-in: no subscription ${subId}`);
    const newPeriod = billingReason === "subscription_create" || billingReason === "subscription_cycle";
    if (newPeriod && sub.invoiced) sub.periodEnd += 30 * 86400;
    sub.invoiced = true;
    const paid = amount ?? sub.price.unit_amount;
    const invoice = {
      id: newId("in"),
      object: "invoice",
      amount_due: paid,
      amount_paid: paid,
      billing_reason: billingReason,
      currency: sub.price.currency,
      customer: sub.customer,
      lines: {
        object: "list",
        data: [
          {
            id: newId("il"),
            object: "line_item",
            amount: paid,
            parent: {
              type: "subscription_item_details",
              subscription_item_details: { proration: !newPeriod, subscription: subId },
            },
            period: { start: sub.periodEnd - 30 * 86400, end: sub.periodEnd },
            pricing: { type: "price_details", price_details: { price: sub.price.id, product: "prod_test" } },
            quantity: 1,
          },
        ],
      },
      livemode: false,
      parent: { type: "subscription_details", subscription_details: { subscription: subId, metadata: sub.metadata } },
      status: "paid",
    };
    if (paid > 0) {
      const paymentIntent = newId("pi");
      charges.set(paymentIntent, { id: newId("ch"), amount: paid, currency: invoice.currency, customer: sub.customer });
      const payment = {
        id: newId("inpay"),
        object: "invoice_payment",
        amount_paid: paid,
        amount_requested: paid,
        created: now(),
        currency: invoice.currency,
        invoice: invoice.id,
        is_default: true,
        livemode: false,
        payment: { type: "payment_intent", payment_intent: paymentIntent },
        status: "paid",
        status_transitions: { canceled_at: null, paid_at: now() },
      };
      invoicePayments.set(payment.id, payment);
    }
    return invoice;
  }

  function paymentIntentOf(invoiceId) {
    const payment = [...invoicePayments.values()].find((p) => p.invoice === invoiceId);
    return payment?.payment.payment_intent ?? null;
  }

  return {
    url: server.url,
    requests: server.requests,
    customers,
    sessions,
    portalSessions,
    pay,
    event,
    sign,
    refund,
    dispute,
    subscription,
    invoicePaid,
    paymentIntentOf,
    close: () => server.close(),
  };
}
