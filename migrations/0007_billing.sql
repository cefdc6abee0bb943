-- Stripe billing: the catalog (credit packs and plans), customers, subscriptions, received
-- events and what each paid Stripe object earned. Idempotent; plain SQL for Supabase and for
-- PostgreSQL 15 after migrations/local.
--
-- Every webhook event goes through one call, stripe_apply_event(), in one transaction:
--   1. its id is recorded in stripe_events (a repeated id stops here: 'duplicate');
--   2. the event is applied. Money moves only through grant_credits / clawback_credits (0003),
--      keyed on the Stripe object, never on the event, because two events can describe the
--      same object (checkout.session.completed and ...async_payment_succeeded):
--        stripe:checkout:<cs_...>              a pack, once per Checkout Session
--        stripe:invoice:<in_...>               a plan's allowance, once per paid invoice
--        stripe:refund:<ch_...>:<refunded>     a clawback, once per cumulative refunded amount
-- A refund that overtakes its payment's fulfilment is kept (stripe_pending_refunds) and applied
-- by the fulfilment; one advisory lock per payment intent keeps the two from missing each other.
-- A failure rolls the whole event back (its id included), so Stripe's retry applies it later.
-- Events of unknown types, customers, packs or plans are recorded with an outcome saying so and
-- change nothing else.

-- ---------------------------------------------------------------------------------------------
-- The catalog: editable without a deploy. A pack is a one-time payment (Checkout mode=payment)
-- giving `credits` once; a plan is a subscription (mode=subscription) giving `credits` for each
-- paid invoice. stripe_price_id: the Price in the Stripe account (price_...).

create table if not exists public.billing_products (
  id text primary key check (id ~ '^[a-z0-9][a-z0-9_-]{0,63}$'),
  kind text not null check (kind in ('pack', 'plan')),
  name text not null check (length(name) between 1 and 200),
  credits integer not null check (credits > 0),
  stripe_price_id text not null unique check (length(stripe_price_id) between 1 and 255),
  billing_interval text check (billing_interval in ('month', 'year')),
  enabled boolean not null default true,
  sort_order integer not null default 0,
  created_at timestamptz not null default now(),
  check ((kind = 'plan') = (billing_interval is not null))
);

-- Placeholder price ids (seeds/000's example is price_pro_monthly): point them at the real
-- Prices with an UPDATE; a redeploy is not needed.
insert into public.billing_products (id, kind, name, credits, stripe_price_id, billing_interval, sort_order)
values
  ('pack-100', 'pack', '100 credits', 100, 'price_credits_100', null, 1),
  ('pack-500', 'pack', '500 credits', 500, 'price_credits_500', null, 2),
  ('pro-monthly', 'plan', 'Pro (monthly)', 300, 'price_pro_monthly', 'month', 1)
on conflict do nothing;

-- ---------------------------------------------------------------------------------------------
-- Customers (seeds/004): one Stripe customer per user, created by POST /billing/checkout or
-- /billing/portal with metadata[user_id].

create table if not exists public.stripe_customers (
  user_id uuid primary key,
  customer_id text not null unique check (customer_id like 'cus\_%'),
  created_at timestamptz not null default now()
);

-- ---------------------------------------------------------------------------------------------
-- Events received (seeds/004 "stripe_events: webhook idempotency tracking"): each id once.

create table if not exists public.stripe_events (
  id text primary key check (length(id) between 1 and 255),
  type text not null,
  stripe_created timestamptz,
  livemode boolean,
  outcome text,
  received_at timestamptz not null default now()
);

create index if not exists stripe_events_received_idx on public.stripe_events (received_at desc);

-- ---------------------------------------------------------------------------------------------
-- Subscriptions: the table of seeds/000 ("Stripe Integration"), extended. One row per Stripe
-- subscription; event_created is the `created` of the event that wrote it, so an older event
-- arriving late never overwrites a newer state.

create table if not exists public.user_subscriptions (
  id uuid default gen_random_uuid() primary key,
  customer_id text not null,
  subscription_id text,
  status text not null,
  updated_at timestamp with time zone default now()
);

alter table public.user_subscriptions add column if not exists user_id uuid;
alter table public.user_subscriptions add column if not exists price_id text;
alter table public.user_subscriptions add column if not exists plan_id text;
alter table public.user_subscriptions add column if not exists current_period_end timestamptz;
alter table public.user_subscriptions add column if not exists cancel_at_period_end boolean not null default false;
alter table public.user_subscriptions add column if not exists payment_failed_at timestamptz;
alter table public.user_subscriptions add column if not exists event_created timestamptz;

create unique index if not exists user_subscriptions_subscription_idx on public.user_subscriptions (subscription_id);
create index if not exists user_subscriptions_user_idx on public.user_subscriptions (user_id, updated_at desc);

-- ---------------------------------------------------------------------------------------------
-- Fulfilments: what each paid object (checkout session, invoice) earned, and how much of it
-- refunds have asked back. charge.refunded finds its fulfilment by payment intent.

create table if not exists public.stripe_fulfilments (
  object_id text primary key,
  kind text not null check (kind in ('pack', 'allowance')),
  user_id uuid not null,
  product_id text not null,
  credits bigint not null check (credits > 0),
  ledger_key text not null unique,
  payment_intent text,
  clawback_requested bigint not null default 0 check (clawback_requested between 0 and credits),
  created_at timestamptz not null default now()
);

create index if not exists stripe_fulfilments_payment_intent_idx on public.stripe_fulfilments (payment_intent)
  where payment_intent is not null;

-- A charge.refunded that arrived before the fulfilment of its payment (Stripe does not promise
-- order): the newest state of the charge, applied when the fulfilment comes.
create table if not exists public.stripe_pending_refunds (
  payment_intent text primary key,
  charge jsonb not null,
  received_at timestamptz not null default now()
);

-- ---------------------------------------------------------------------------------------------
-- link_stripe_customer: the user's Stripe customer, recording `p_customer` when the user has
-- none yet. Two racing checkouts may both create a customer: the first recorded wins and both
-- use it.
--   select public.link_stripe_customer($1::uuid, $2::text) as customer_id

create or replace function public.link_stripe_customer(p_user uuid, p_customer text) returns text
language plpgsql
security definer
set search_path = public, pg_temp
as $$
begin
  if p_user is null or p_customer is null or p_customer not like 'cus\_%' then
    raise exception using errcode = '22023', message = 'invalid_request: a user id and a cus_ id are required';
  end if;
  insert into public.stripe_customers (user_id, customer_id) values (p_user, p_customer)
  on conflict (user_id) do nothing;
  return (select c.customer_id from public.stripe_customers c where c.user_id = p_user);
end
$$;

-- Internal: the user a Stripe object belongs to: its customer's user, else `p_claimed` (the
-- client_reference_id / metadata.user_id this API set) when it is a UUID; null when unknown.
create or replace function public._stripe_user(p_customer text, p_claimed text) returns uuid
language plpgsql
set search_path = public, pg_temp
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
-- refund of its payment that arrived first.
create or replace function public._stripe_fulfil(
  p_object_id text, p_kind text, p_user uuid, p_product public.billing_products, p_payment_intent text,
  p_key text, p_reason text
) returns text
language plpgsql
set search_path = public, pg_temp
as $$
declare
  v_applied boolean;
  v_user uuid;
  v_credits bigint;
  v_early_refund jsonb;
begin
  -- NOTE: lock order, as in refunds: the payment, the fulfilment row (a racing event for the
  -- same object waits here), then the balance row inside grant_credits.
  perform public._stripe_payment_lock(p_payment_intent);
  insert into public.stripe_fulfilments (object_id, kind, user_id, product_id, credits, ledger_key, payment_intent)
  values (p_object_id, p_kind, p_user, p_product.id, p_product.credits, p_key, p_payment_intent)
  on conflict (object_id) do nothing;
  -- What the object earned when first fulfilled: a later catalog edit changes nothing for it.
  select f.user_id, f.credits into v_user, v_credits from public.stripe_fulfilments f where f.object_id = p_object_id;
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
language plpgsql
set search_path = public, pg_temp
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
                               'stripe:checkout:' || (o ->> 'id'), 'credit pack: ' || v_pack.name);
end
$$;

-- Internal: the subscription an invoice is for (API 2025-03-31+: parent.subscription_details;
-- before: invoice.subscription).
create or replace function public._stripe_invoice_subscription(o jsonb) returns text
language sql immutable
as $$
  select coalesce(o -> 'parent' -> 'subscription_details' ->> 'subscription', o ->> 'subscription')
$$;

-- Internal: invoice.paid: the allowance of the plan among the invoice's lines.
create or replace function public._stripe_invoice_paid(o jsonb) returns text
language plpgsql
set search_path = public, pg_temp
as $$
declare
  v_user uuid;
  v_plan public.billing_products;
begin
  v_user := public._stripe_user(o ->> 'customer', null);
  if v_user is null then
    return 'unknown_customer';
  end if;
  -- A line's price: pricing.price_details.price since 2025-03-31, price.id before.
  select p.* into v_plan
  from jsonb_array_elements(coalesce(o -> 'lines' -> 'data', '[]'::jsonb)) line
  join public.billing_products p
    on p.kind = 'plan'
   and p.stripe_price_id = coalesce(line -> 'pricing' -> 'price_details' ->> 'price', line -> 'price' ->> 'id')
  order by p.credits desc
  limit 1;
  if not found then
    return 'no_plan';
  end if;
  update public.user_subscriptions s set payment_failed_at = null
  where s.subscription_id = public._stripe_invoice_subscription(o);
  return public._stripe_fulfil(o ->> 'id', 'allowance', v_user, v_plan, o ->> 'payment_intent',
                               'stripe:invoice:' || (o ->> 'id'), 'subscription allowance: ' || v_plan.name);
end
$$;

-- Internal: invoice.payment_failed: marks the subscription (its status follows with
-- customer.subscription.updated).
create or replace function public._stripe_invoice_failed(o jsonb) returns text
language plpgsql
set search_path = public, pg_temp
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
language plpgsql
set search_path = public, pg_temp
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
language plpgsql
set search_path = public, pg_temp
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

-- stripe_apply_event: one verified webhook event, recorded and applied in one transaction.
--   select public.stripe_apply_event($1::text, $2::text, $3::bigint, $4::boolean, $5::jsonb) as outcome
--   p_event_id  evt_...; p_type the event type; p_created the event's `created` (unix s);
--   p_object    the event's data.object.
--   → the outcome: 'duplicate' (id seen before: nothing done), 'granted', 'already_granted',
--     'subscription_saved', 'stale', 'payment_failed', 'clawed_back', 'already_clawed_back',
--     'ignored' (a type this API does not act on), or why nothing applied ('unknown_customer',
--     'unknown_pack', 'no_plan', 'no_fulfilment', 'unknown_subscription', 'awaiting_payment',
--     'not_a_pack'), or 'refund_before_fulfilment' (kept, applied when the payment's fulfilment
--     arrives).
create or replace function public.stripe_apply_event(
  p_event_id text, p_type text, p_created bigint, p_livemode boolean, p_object jsonb
) returns text
language plpgsql
security definer
set search_path = public, pg_temp
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
    else 'ignored'
  end;
  update public.stripe_events e set outcome = v_outcome where e.id = p_event_id;
  return v_outcome;
end
$$;

-- ---------------------------------------------------------------------------------------------
-- Privileges (as 0005): the API role executes the two entry points and reads; it writes none of
-- these tables directly. Supabase clients read the enabled catalog and their own customer and
-- subscriptions; stripe_events and stripe_fulfilments are server-only.

revoke all on function
  public.link_stripe_customer(uuid, text),
  public.stripe_apply_event(text, text, bigint, boolean, jsonb)
from public, anon, authenticated;

grant execute on function
  public.link_stripe_customer(uuid, text),
  public.stripe_apply_event(text, text, bigint, boolean, jsonb)
to alphogen_api, service_role;

revoke all on function
  public._stripe_user(text, text),
  public._stripe_payment_lock(text),
  public._stripe_fulfil(text, text, uuid, public.billing_products, text, text, text),
  public._stripe_checkout_paid(jsonb),
  public._stripe_invoice_subscription(jsonb),
  public._stripe_invoice_paid(jsonb),
  public._stripe_invoice_failed(jsonb),
  public._stripe_subscription(text, timestamptz, jsonb),
  public._stripe_charge_refunded(jsonb)
from public, anon, authenticated, service_role;

grant select on
  public.billing_products, public.stripe_customers, public.stripe_events, public.user_subscriptions,
  public.stripe_fulfilments, public.stripe_pending_refunds
to alphogen_api;

revoke insert, update, delete, truncate on
  public.billing_products, public.stripe_customers, public.user_subscriptions
from anon, authenticated;
revoke all on public.stripe_events, public.stripe_fulfilments, public.stripe_pending_refunds from anon, authenticated;

alter table public.billing_products enable row level security;
alter table public.stripe_customers enable row level security;
alter table public.stripe_events enable row level security;
alter table public.user_subscriptions enable row level security;
alter table public.stripe_fulfilments enable row level security;
alter table public.stripe_pending_refunds enable row level security;

drop policy if exists "billing_products_read_enabled" on public.billing_products;
create policy "billing_products_read_enabled" on public.billing_products for select using (enabled);
drop policy if exists "stripe_customers_owner_can_read" on public.stripe_customers;
create policy "stripe_customers_owner_can_read" on public.stripe_customers
  for select to authenticated using (auth.uid() = user_id);
drop policy if exists "user_subscriptions_owner_can_read" on public.user_subscriptions;
create policy "user_subscriptions_owner_can_read" on public.user_subscriptions
  for select to authenticated using (auth.uid() = user_id);

drop policy if exists "service_role_all_billing_products" on public.billing_products;
create policy "service_role_all_billing_products" on public.billing_products
  for all using (auth.role() = 'service_role');
drop policy if exists "service_role_all_stripe_customers" on public.stripe_customers;
create policy "service_role_all_stripe_customers" on public.stripe_customers
  for all using (auth.role() = 'service_role');
drop policy if exists "service_role_all_stripe_events" on public.stripe_events;
create policy "service_role_all_stripe_events" on public.stripe_events
  for all using (auth.role() = 'service_role');
drop policy if exists "service_role_all_user_subscriptions" on public.user_subscriptions;
create policy "service_role_all_user_subscriptions" on public.user_subscriptions
  for all using (auth.role() = 'service_role');
drop policy if exists "service_role_all_stripe_fulfilments" on public.stripe_fulfilments;
create policy "service_role_all_stripe_fulfilments" on public.stripe_fulfilments
  for all using (auth.role() = 'service_role');

drop policy if exists "api_read_billing_products" on public.billing_products;
create policy "api_read_billing_products" on public.billing_products for select to alphogen_api using (true);
drop policy if exists "api_read_stripe_customers" on public.stripe_customers;
create policy "api_read_stripe_customers" on public.stripe_customers for select to alphogen_api using (true);
drop policy if exists "api_read_stripe_events" on public.stripe_events;
create policy "api_read_stripe_events" on public.stripe_events for select to alphogen_api using (true);
drop policy if exists "api_read_user_subscriptions" on public.user_subscriptions;
create policy "api_read_user_subscriptions" on public.user_subscriptions for select to alphogen_api using (true);
drop policy if exists "service_role_all_stripe_pending_refunds" on public.stripe_pending_refunds;
create policy "service_role_all_stripe_pending_refunds" on public.stripe_pending_refunds
  for all using (auth.role() = 'service_role');
drop policy if exists "api_read_stripe_pending_refunds" on public.stripe_pending_refunds;
create policy "api_read_stripe_pending_refunds" on public.stripe_pending_refunds for select to alphogen_api using (true);
drop policy if exists "api_read_stripe_fulfilments" on public.stripe_fulfilments;
create policy "api_read_stripe_fulfilments" on public.stripe_fulfilments for select to alphogen_api using (true);
