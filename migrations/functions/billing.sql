-- Stripe billing: every webhook event goes through one call, stripe_apply_event(), in one
-- transaction; link_stripe_customer() records a user's customer. Re-applied by
-- scripts/migrate.mjs whenever this file changes: edit a function in place.
--
-- stripe_apply_event():
--   1. records the event's id in stripe_events (a repeated id stops here: 'duplicate');
--   2. applies the event. Money moves only through grant_credits / clawback_credits
--      (functions/credits.sql), keyed on the Stripe object, never on the event, because two
--      events can describe the same object (checkout.session.completed and
--      ...async_payment_succeeded):
--        stripe:checkout:<cs_...>              a pack, once per Checkout Session
--        stripe:invoice:<in_...>               a plan's allowance, once per paid invoice
--        stripe:refund:<ch_...>:<refunded>     a clawback, once per cumulative refunded amount
--        stripe:dispute:<dp_...>               a dispute's share, once per dispute
--        stripe:dispute_won:<dp_...>           that share given back, once
-- A refund that overtakes its payment's fulfilment is kept (stripe_pending_refunds) and applied
-- by the fulfilment; one advisory lock per payment intent keeps the two from missing each other.
-- A failure rolls the whole event back (its id included), so Stripe's retry applies it later.
-- Events of unknown types, customers, packs or plans are recorded with an outcome saying so and
-- change nothing else.
--
-- Money holes closed on purpose:
--   * a plan's allowance is granted only for a paid invoice that starts or renews a period
--     (billing_reason subscription_create / subscription_cycle, amount_paid > 0), and at most
--     once per subscription period whatever the invoice: proration (subscription_update), $0
--     and manual invoices grant nothing;
--   * an invoice's fulfilment records the payment intent that paid it. Under Stripe API
--     2025-03-31.basil invoices no longer name it: the Worker looks it up
--     (GET /v1/invoice_payments?invoice=...) and hands it in as the invoice's `payment_intent`,
--     so charge.refunded finds subscription fulfilments as it finds packs;
--   * disputes: charge.dispute.created takes the disputed share back (never below 0, once per
--     dispute); charge.dispute.closed `won` (or `warning_closed`, an inquiry that never became a
--     chargeback) gives back what was taken, once; `lost` keeps it taken.

-- link_stripe_customer: the user's Stripe customer, recording `p_customer` when the user has
-- none yet. Racing checkouts of one user all get the same customer from Stripe (its
-- Idempotency-Key is derived from the user), so they insert the same (user_id, customer_id)
-- row; every unique index is an arbiter of the insert (with `on conflict (user_id)` alone, two
-- inserts that both passed the pre-check would collide on the unique customer_id: a 23505).
-- The user's recorded customer is the answer.
--   select public.link_stripe_customer($1::uuid, $2::text) as customer_id
create or replace function public.link_stripe_customer(p_user uuid, p_customer text) returns text
language plpgsql security definer set search_path = public, pg_temp
as $$
begin
  if p_user is null or p_customer is null or p_customer not like 'cus\_%' then
    raise exception using errcode = '22023', message = 'invalid_request: a user id and a cus_ id are required';
  end if;
  insert into public.stripe_customers (user_id, customer_id) values (p_user, p_customer)
  on conflict do nothing;
  return (select c.customer_id from public.stripe_customers c where c.user_id = p_user);
end
$$;

-- Internal: the user a Stripe object belongs to: its customer's user, else `p_claimed` (the
-- client_reference_id / metadata.user_id this API set) when it is a UUID; null when unknown.
create or replace function public._stripe_user(p_customer text, p_claimed text) returns uuid
language plpgsql set search_path = public, pg_temp
as $$
declare
  v_user uuid;
begin
  select c.user_id into v_user from public.stripe_customers c where c.customer_id = p_customer;
  if found then
    return v_user;
  end if;
  if p_claimed ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then
    return p_claimed::uuid;
  end if;
  return null;
end
$$;

-- Internal: serialises everything about one payment (its fulfilment and its refunds), so a
-- refund and the fulfilment it overtook never miss each other. Taken before any row lock.
create or replace function public._stripe_payment_lock(p_payment_intent text) returns void
language sql
as $$
  select pg_advisory_xact_lock(hashtextextended('stripe:payment:' || p_payment_intent, 0))
  where p_payment_intent is not null
$$;

-- Internal: records a fulfilment and grants its credits, once per object; then applies a
-- refund of its payment that arrived first. Returns 'period_already_granted' when another
-- invoice of the same subscription period was fulfilled. Invoices of Stripe API 2025-03-31+
-- carry no payment_intent, so the payment lock does not serialise two events that fulfil one
-- invoice: every unique index is an arbiter of the insert (with `on conflict (object_id)`
-- alone, the later would fail on the unique ledger_key).
create or replace function public._stripe_fulfil(
  p_object_id text, p_kind text, p_user uuid, p_product public.billing_products, p_payment_intent text,
  p_key text, p_reason text, p_amount_paid bigint, p_subscription text, p_period_start timestamptz
) returns text
language plpgsql set search_path = public, pg_temp
as $$
declare
  v_applied boolean;
  v_user uuid;
  v_credits bigint;
  v_early_refund jsonb;
begin
  -- NOTE: lock order, as in refunds and disputes: the payment, the fulfilment row (a racing
  -- event for the same object waits here), then the balance row inside grant_credits.
  perform public._stripe_payment_lock(p_payment_intent);
  insert into public.stripe_fulfilments
    (object_id, kind, user_id, product_id, credits, ledger_key, payment_intent, amount_paid, subscription_id, period_start)
  values
    (p_object_id, p_kind, p_user, p_product.id, p_product.credits, p_key, p_payment_intent, p_amount_paid,
     p_subscription, p_period_start)
  on conflict do nothing;
  -- What the object earned when first fulfilled: a later catalog edit changes nothing for it.
  select f.user_id, f.credits into v_user, v_credits from public.stripe_fulfilments f where f.object_id = p_object_id;
  if not found then
    return 'period_already_granted';
  end if;
  select g.applied into v_applied
  from public.grant_credits(
    v_user, v_credits, case when p_kind = 'pack' then 'purchase' else 'grant' end, p_key, p_reason,
    jsonb_build_object('stripe_object', p_object_id, 'product_id', p_product.id)) g;
  delete from public.stripe_pending_refunds r where r.payment_intent = p_payment_intent
  returning r.charge into v_early_refund;
  if v_early_refund is not null then
    perform public._stripe_charge_refunded(v_early_refund);
  end if;
  return case when v_applied then 'granted' else 'already_granted' end;
end
$$;

-- Internal: checkout.session.completed / .async_payment_succeeded. Packs only: a subscription's
-- credits come with each paid invoice. An unpaid session (async payment methods) waits for
-- async_payment_succeeded.
create or replace function public._stripe_checkout_paid(o jsonb) returns text
language plpgsql set search_path = public, pg_temp
as $$
declare
  v_user uuid;
  v_pack public.billing_products;
begin
  if o ->> 'mode' is distinct from 'payment' then
    return 'not_a_pack';
  end if;
  if coalesce(o ->> 'payment_status', '') not in ('paid', 'no_payment_required') then
    return 'awaiting_payment';
  end if;
  v_user := public._stripe_user(o ->> 'customer', coalesce(o ->> 'client_reference_id', o -> 'metadata' ->> 'user_id'));
  if v_user is null then
    return 'unknown_customer';
  end if;
  select * into v_pack from public.billing_products p
  where p.kind = 'pack' and p.id = o -> 'metadata' ->> 'pack_id';
  if not found then
    return 'unknown_pack';
  end if;
  return public._stripe_fulfil(o ->> 'id', 'pack', v_user, v_pack, o ->> 'payment_intent',
                               'stripe:checkout:' || (o ->> 'id'), 'credit pack: ' || v_pack.name,
                               (o ->> 'amount_total')::bigint, null, null);
end
$$;

-- Internal: the subscription an invoice is for (API 2025-03-31+: parent.subscription_details;
-- before: invoice.subscription).
create or replace function public._stripe_invoice_subscription(o jsonb) returns text
language sql immutable
as $$
  select coalesce(o -> 'parent' -> 'subscription_details' ->> 'subscription', o ->> 'subscription')
$$;

-- Internal: invoice.paid: the allowance of the plan among the invoice's lines, for an invoice
-- that starts or renews a paid period.
create or replace function public._stripe_invoice_paid(o jsonb) returns text
language plpgsql set search_path = public, pg_temp
as $$
declare
  v_user uuid;
  v_plan public.billing_products;
  v_plan_id text;
  v_period_start timestamptz;
begin
  v_user := public._stripe_user(o ->> 'customer', null);
  if v_user is null then
    return 'unknown_customer';
  end if;
  update public.user_subscriptions s set payment_failed_at = null
  where s.subscription_id = public._stripe_invoice_subscription(o);
  -- An upgrade's proration (subscription_update) is not a new period: the new plan's allowance
  -- comes with its first renewal. Trials and 100%-off periods (nothing paid) grant nothing.
  if coalesce(o ->> 'billing_reason', '') not in ('subscription_create', 'subscription_cycle') then
    return 'not_a_new_period';
  end if;
  if coalesce((o ->> 'amount_paid')::bigint, 0) <= 0 then
    return 'nothing_paid';
  end if;
  -- A line's price: pricing.price_details.price since 2025-03-31, price.id before.
  select p.id, to_timestamp((line -> 'period' ->> 'start')::bigint) into v_plan_id, v_period_start
  from jsonb_array_elements(coalesce(o -> 'lines' -> 'data', '[]'::jsonb)) line
  join public.billing_products p
    on p.kind = 'plan'
   and p.stripe_price_id = coalesce(line -> 'pricing' -> 'price_details' ->> 'price', line -> 'price' ->> 'id')
  order by p.credits desc
  limit 1;
  if not found then
    return 'no_plan';
  end if;
  select * into v_plan from public.billing_products p where p.id = v_plan_id;
  return public._stripe_fulfil(o ->> 'id', 'allowance', v_user, v_plan, o ->> 'payment_intent',
                               'stripe:invoice:' || (o ->> 'id'), 'subscription allowance: ' || v_plan.name,
                               (o ->> 'amount_paid')::bigint, public._stripe_invoice_subscription(o), v_period_start);
end
$$;

-- Internal: invoice.payment_failed: marks the subscription (its status follows with
-- customer.subscription.updated).
create or replace function public._stripe_invoice_failed(o jsonb) returns text
language plpgsql set search_path = public, pg_temp
as $$
begin
  update public.user_subscriptions s set payment_failed_at = now()
  where s.subscription_id = public._stripe_invoice_subscription(o);
  return case when found then 'payment_failed' else 'unknown_subscription' end;
end
$$;

-- Internal: customer.subscription.created|updated|deleted. The state of the newest event wins:
-- an event created before the one that wrote the row is stale; on the same second a .created
-- never overrides, and a canceled subscription (terminal at Stripe) stays canceled.
create or replace function public._stripe_subscription(p_type text, p_created timestamptz, o jsonb) returns text
language plpgsql set search_path = public, pg_temp
as $$
declare
  v_user uuid;
  v_old public.user_subscriptions;
  v_price text := o -> 'items' -> 'data' -> 0 -> 'price' ->> 'id';
  v_period_end timestamptz;
begin
  v_user := public._stripe_user(o ->> 'customer', null);
  if v_user is null then
    return 'unknown_customer';
  end if;
  -- Since 2025-03-31 the period lives on the items; older versions had it on the subscription.
  select to_timestamp(max((item ->> 'current_period_end')::bigint)) into v_period_end
  from jsonb_array_elements(coalesce(o -> 'items' -> 'data', '[]'::jsonb)) item;
  v_period_end := coalesce(v_period_end, to_timestamp((o ->> 'current_period_end')::bigint));

  insert into public.user_subscriptions as s
    (customer_id, subscription_id, status, user_id, price_id, plan_id, current_period_end,
     cancel_at_period_end, event_created, updated_at)
  values
    (o ->> 'customer', o ->> 'id', o ->> 'status', v_user, v_price,
     (select p.id from public.billing_products p where p.stripe_price_id = v_price),
     v_period_end, coalesce((o ->> 'cancel_at_period_end')::boolean, false), p_created, now())
  on conflict (subscription_id) do nothing;
  if found then
    return 'subscription_saved';
  end if;

  select * into v_old from public.user_subscriptions s where s.subscription_id = o ->> 'id' for update;
  if v_old.event_created > p_created
     or (v_old.event_created = p_created and p_type = 'customer.subscription.created')
     or (v_old.status in ('canceled', 'incomplete_expired') and o ->> 'status' is distinct from v_old.status) then
    return 'stale';
  end if;
  update public.user_subscriptions s set
    status = o ->> 'status',
    price_id = v_price,
    plan_id = (select p.id from public.billing_products p where p.stripe_price_id = v_price),
    current_period_end = v_period_end,
    cancel_at_period_end = coalesce((o ->> 'cancel_at_period_end')::boolean, false),
    event_created = p_created,
    updated_at = now()
  where s.subscription_id = o ->> 'id';
  return 'subscription_saved';
end
$$;

-- Internal: charge.refunded: takes back the share of the credits the refund covers
-- (credits × amount_refunded / amount, all of them once fully refunded), minus what earlier
-- refunds of the same payment already asked. clawback_credits never goes below 0.
create or replace function public._stripe_charge_refunded(o jsonb) returns text
language plpgsql set search_path = public, pg_temp
as $$
declare
  v_f public.stripe_fulfilments;
  v_amount bigint := coalesce((o ->> 'amount')::bigint, 0);
  v_refunded bigint := coalesce((o ->> 'amount_refunded')::bigint, 0);
  v_target bigint;
begin
  perform public._stripe_payment_lock(o ->> 'payment_intent');
  select * into v_f from public.stripe_fulfilments f
  where f.payment_intent = o ->> 'payment_intent' for update;
  if not found then
    if o ->> 'payment_intent' is null then
      return 'no_fulfilment';
    end if;
    -- Kept (the newest state of the charge) for the fulfilment still to come.
    insert into public.stripe_pending_refunds as r (payment_intent, charge) values (o ->> 'payment_intent', o)
    on conflict (payment_intent) do update set charge = excluded.charge, received_at = now()
    where coalesce((excluded.charge ->> 'amount_refunded')::bigint, 0) > coalesce((r.charge ->> 'amount_refunded')::bigint, 0);
    return 'refund_before_fulfilment';
  end if;
  if coalesce((o ->> 'refunded')::boolean, false) or v_amount <= 0 or v_refunded >= v_amount then
    v_target := v_f.credits;
  else
    v_target := v_f.credits * v_refunded / v_amount;
  end if;
  if v_target <= v_f.clawback_requested then
    return 'already_clawed_back';
  end if;
  perform public.clawback_credits(
    v_f.user_id, v_target - v_f.clawback_requested, 'stripe:refund:' || (o ->> 'id') || ':' || v_refunded,
    'refund of ' || v_f.object_id,
    jsonb_build_object('charge', o ->> 'id', 'stripe_object', v_f.object_id, 'amount_refunded', v_refunded));
  update public.stripe_fulfilments f set clawback_requested = v_target where f.object_id = v_f.object_id;
  return 'clawed_back';
end
$$;

-- Internal: charge.dispute.created / .closed (a Dispute object: id, amount, payment_intent,
-- status). The share taken is credits × disputed amount / amount paid (all of them when the
-- payment's amount is unknown). Events may come in any order: a dispute closed before its
-- creation was seen takes nothing.
create or replace function public._stripe_dispute(p_type text, o jsonb) returns text
language plpgsql set search_path = public, pg_temp
as $$
declare
  v_f public.stripe_fulfilments;
  v_d public.stripe_disputes;
  v_status text := coalesce(o ->> 'status', '');
  v_closing boolean := p_type = 'charge.dispute.closed';
  v_amount bigint := coalesce((o ->> 'amount')::bigint, 0);
  v_target bigint;
  v_clawed bigint;
begin
  if o ->> 'id' is null or o ->> 'payment_intent' is null then
    return 'no_fulfilment';
  end if;
  perform public._stripe_payment_lock(o ->> 'payment_intent');
  select * into v_f from public.stripe_fulfilments f where f.payment_intent = o ->> 'payment_intent';
  if not found then
    return 'no_fulfilment';
  end if;
  insert into public.stripe_disputes (dispute_id, object_id, user_id, status)
  values (o ->> 'id', v_f.object_id, v_f.user_id, v_status)
  on conflict do nothing;
  select * into v_d from public.stripe_disputes d where d.dispute_id = o ->> 'id' for update;
  if v_d.closed then
    return 'dispute_already_closed';
  end if;

  if v_closing and v_status in ('won', 'warning_closed') then
    if v_d.clawed > 0 and not v_d.returned then
      perform public.grant_credits(
        v_f.user_id, v_d.clawed, 'grant', 'stripe:dispute_won:' || (o ->> 'id'), 'dispute won: ' || v_f.object_id,
        jsonb_build_object('dispute', o ->> 'id', 'stripe_object', v_f.object_id));
    end if;
    update public.stripe_disputes d set status = v_status, closed = true, returned = d.clawed > 0, updated_at = now()
    where d.dispute_id = o ->> 'id';
    return 'dispute_won';
  end if;

  -- Created, or lost (also when its creation was never seen): the disputed share is taken, once.
  if not exists (select 1 from public.credit_ledger l where l.idempotency_key = 'stripe:dispute:' || (o ->> 'id')) then
    if v_f.amount_paid is null or v_f.amount_paid <= 0 or v_amount >= v_f.amount_paid then
      v_target := v_f.credits;
    else
      v_target := v_f.credits * greatest(v_amount, 0) / v_f.amount_paid;
    end if;
    if v_target > 0 then
      select c.clawed into v_clawed
      from public.clawback_credits(
        v_f.user_id, v_target, 'stripe:dispute:' || (o ->> 'id'), 'dispute of ' || v_f.object_id,
        jsonb_build_object('dispute', o ->> 'id', 'stripe_object', v_f.object_id, 'amount', v_amount)) c;
      update public.stripe_disputes d set clawed = v_clawed where d.dispute_id = o ->> 'id';
    end if;
  end if;
  update public.stripe_disputes d set status = v_status, closed = v_closing, updated_at = now()
  where d.dispute_id = o ->> 'id';
  return case when v_closing then 'dispute_lost' else 'disputed' end;
end
$$;

-- stripe_apply_event: one verified webhook event, recorded and applied in one transaction.
--   select public.stripe_apply_event($1::text, $2::text, $3::bigint, $4::boolean, $5::jsonb) as outcome
--   p_event_id  evt_...; p_type the event type; p_created the event's `created` (unix s);
--   p_object    the event's data.object.
--   → the outcome: 'duplicate' (id seen before: nothing done), 'granted', 'already_granted',
--     'subscription_saved', 'stale', 'payment_failed', 'clawed_back', 'already_clawed_back',
--     'disputed', 'dispute_won', 'dispute_lost', 'ignored' (a type this API does not act on),
--     or why nothing applied ('unknown_customer', 'unknown_pack', 'no_plan', 'no_fulfilment',
--     'unknown_subscription', 'awaiting_payment', 'not_a_pack', 'not_a_new_period',
--     'nothing_paid', 'period_already_granted', 'dispute_already_closed'), or
--     'refund_before_fulfilment' (kept, applied when the payment's fulfilment arrives).
create or replace function public.stripe_apply_event(
  p_event_id text, p_type text, p_created bigint, p_livemode boolean, p_object jsonb
) returns text
language plpgsql security definer set search_path = public, pg_temp
as $$
declare
  v_created timestamptz := to_timestamp(p_created);
  v_outcome text;
begin
  if p_event_id is null or p_type is null or p_created is null or jsonb_typeof(p_object) is distinct from 'object' then
    raise exception using errcode = '22023', message = 'invalid_request: event id, type, created and object are required';
  end if;
  insert into public.stripe_events (id, type, stripe_created, livemode)
  values (p_event_id, p_type, v_created, p_livemode)
  on conflict (id) do nothing;
  if not found then
    return 'duplicate';
  end if;
  v_outcome := case
    when p_type in ('checkout.session.completed', 'checkout.session.async_payment_succeeded')
      then public._stripe_checkout_paid(p_object)
    when p_type = 'invoice.paid' then public._stripe_invoice_paid(p_object)
    when p_type = 'invoice.payment_failed' then public._stripe_invoice_failed(p_object)
    when p_type in ('customer.subscription.created', 'customer.subscription.updated', 'customer.subscription.deleted')
      then public._stripe_subscription(p_type, v_created, p_object)
    when p_type = 'charge.refunded' then public._stripe_charge_refunded(p_object)
    when p_type in ('charge.dispute.created', 'charge.dispute.closed') then public._stripe_dispute(p_type, p_object)
    else 'ignored'
  end;
  update public.stripe_events e set outcome = v_outcome where e.id = p_event_id;
  return v_outcome;
end
$$;

select public._function_access('owner',
  'public._stripe_user(text, text)',
  'public._stripe_payment_lock(text)',
  'public._stripe_fulfil(text, text, uuid, public.billing_products, text, text, text, bigint, text, timestamptz)',
  'public._stripe_checkout_paid(jsonb)',
  'public._stripe_invoice_subscription(jsonb)',
  'public._stripe_invoice_paid(jsonb)',
  'public._stripe_invoice_failed(jsonb)',
  'public._stripe_subscription(text, timestamptz, jsonb)',
  'public._stripe_charge_refunded(jsonb)',
  'public._stripe_dispute(text, jsonb)');
select public._function_access('api',
  'public.link_stripe_customer(uuid, text)',
  'public.stripe_apply_event(text, text, bigint, boolean, jsonb)');
