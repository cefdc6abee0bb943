-- Stripe billing: the catalog (credit packs and plans), customers, subscriptions, received
-- events, what each paid Stripe object earned, and disputes. Every webhook event goes through
-- stripe_apply_event() (migrations/functions/billing.sql), which is the only writer of these
-- tables besides link_stripe_customer().

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
-- Subscriptions: the table of the original API (seeds/000 "Stripe Integration"), which a
-- project may already have, given this API's columns. One row per Stripe subscription;
-- event_created is the `created` of the event that wrote it, so an older event arriving late
-- never overwrites a newer state.

create table if not exists public.user_subscriptions (
  id uuid default gen_random_uuid() primary key,
  customer_id text not null,
  subscription_id text,
  status text not null,
  updated_at timestamp with time zone default now()
);

alter table public.user_subscriptions
  add column if not exists user_id uuid,
  add column if not exists price_id text,
  add column if not exists plan_id text,
  add column if not exists current_period_end timestamptz,
  add column if not exists cancel_at_period_end boolean not null default false,
  add column if not exists payment_failed_at timestamptz,
  add column if not exists event_created timestamptz;

create unique index if not exists user_subscriptions_subscription_idx on public.user_subscriptions (subscription_id);
create index if not exists user_subscriptions_user_idx on public.user_subscriptions (user_id, updated_at desc);

-- ---------------------------------------------------------------------------------------------
-- Fulfilments: what each paid object (checkout session, invoice) earned, what was paid (the
-- base of a dispute's share), and how much of it refunds have asked back. charge.refunded and
-- disputes find their fulfilment by payment intent; an allowance also records its subscription
-- period, at most one per period whatever the invoice.

create table if not exists public.stripe_fulfilments (
  object_id text primary key,
  kind text not null check (kind in ('pack', 'allowance')),
  user_id uuid not null,
  product_id text not null,
  credits bigint not null check (credits > 0),
  ledger_key text not null unique,
  payment_intent text,
  clawback_requested bigint not null default 0 check (clawback_requested between 0 and credits),
  created_at timestamptz not null default now(),
  amount_paid bigint,
  subscription_id text,
  period_start timestamptz
);

create index if not exists stripe_fulfilments_payment_intent_idx on public.stripe_fulfilments (payment_intent)
  where payment_intent is not null;
-- The arbiter when two invoices claim one period.
create unique index if not exists stripe_fulfilments_period_idx
  on public.stripe_fulfilments (subscription_id, period_start)
  where kind = 'allowance' and subscription_id is not null and period_start is not null;

-- A charge.refunded that arrived before the fulfilment of its payment (Stripe does not promise
-- order): the newest state of the charge, applied when the fulfilment comes.
create table if not exists public.stripe_pending_refunds (
  payment_intent text primary key,
  charge jsonb not null,
  received_at timestamptz not null default now()
);

-- One row per dispute: what it took, and whether that went back.
create table if not exists public.stripe_disputes (
  dispute_id text primary key check (length(dispute_id) between 1 and 255),
  object_id text not null references public.stripe_fulfilments (object_id),
  user_id uuid not null,
  status text not null,
  closed boolean not null default false,
  clawed bigint not null default 0 check (clawed >= 0),
  returned boolean not null default false,
  updated_at timestamptz not null default now()
);

-- ---------------------------------------------------------------------------------------------
-- Privileges: the API role reads, and writes nothing directly. Supabase clients read the
-- enabled catalog and their own customer and subscriptions; events, fulfilments, pending
-- refunds and disputes are server-only.

grant select on
  public.billing_products, public.stripe_customers, public.stripe_events, public.user_subscriptions,
  public.stripe_fulfilments, public.stripe_pending_refunds, public.stripe_disputes
to alphogen_api;

revoke insert, update, delete, truncate on
  public.billing_products, public.stripe_customers, public.user_subscriptions
from anon, authenticated;
revoke all on
  public.stripe_events, public.stripe_fulfilments, public.stripe_pending_refunds, public.stripe_disputes
from anon, authenticated;

select public._enable_rls('{public.stripe_customers, public.user_subscriptions}', 'owner_read', 'service_role', 'api_read');
select public._enable_rls(
  '{public.billing_products, public.stripe_events, public.stripe_fulfilments, public.stripe_pending_refunds,
    public.stripe_disputes}',
  'service_role', 'api_read');

drop policy if exists "billing_products_read_enabled" on public.billing_products;
create policy "billing_products_read_enabled" on public.billing_products for select using (enabled);
