-- Billing, money holes closed (issue 18):
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
-- Fulfilments also record what was paid, the base of a dispute's share.

alter table public.stripe_fulfilments add column if not exists amount_paid bigint;
alter table public.stripe_fulfilments add column if not exists subscription_id text;
alter table public.stripe_fulfilments add column if not exists period_start timestamptz;

-- One allowance per subscription period: the arbiter when two invoices claim one period.
create unique index if not exists stripe_fulfilments_period_idx
  on public.stripe_fulfilments (subscription_id, period_start)
  where kind = 'allowance' and subscription_id is not null and period_start is not null;

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
-- _stripe_fulfil (0009) with what was paid and, for allowances, the period. Returns
-- 'period_already_granted' when another invoice of the same subscription period was fulfilled.

drop function if exists public._stripe_fulfil(text, text, uuid, public.billing_products, text, text, text);

create or replace function public._stripe_fulfil(
  p_object_id text, p_kind text, p_user uuid, p_product public.billing_products, p_payment_intent text,
  p_key text, p_reason text, p_amount_paid bigint, p_subscription text, p_period_start timestamptz
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
                               'stripe:checkout:' || (o ->> 'id'), 'credit pack: ' || v_pack.name,
                               (o ->> 'amount_total')::bigint, null, null);
end
$$;

-- Internal: invoice.paid: the allowance of the plan among the invoice's lines, for an invoice
-- that starts or renews a paid period.
create or replace function public._stripe_invoice_paid(o jsonb) returns text
language plpgsql
set search_path = public, pg_temp
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

-- Internal: charge.dispute.created / .closed (a Dispute object: id, amount, payment_intent,
-- status). The share taken is credits × disputed amount / amount paid (all of them when the
-- payment's amount is unknown). Events may come in any order: a dispute closed before its
-- creation was seen takes nothing.
create or replace function public._stripe_dispute(p_type text, o jsonb) returns text
language plpgsql
set search_path = public, pg_temp
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

-- stripe_apply_event (0007) with disputes. Outcomes added: 'not_a_new_period', 'nothing_paid',
-- 'period_already_granted' (invoice.paid that grants nothing), 'disputed', 'dispute_won',
-- 'dispute_lost', 'dispute_already_closed'.
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
    when p_type in ('charge.dispute.created', 'charge.dispute.closed') then public._stripe_dispute(p_type, p_object)
    else 'ignored'
  end;
  update public.stripe_events e set outcome = v_outcome where e.id = p_event_id;
  return v_outcome;
end
$$;

-- Privileges, as 0007: internal functions are nobody's to call; the API role reads disputes.
revoke all on function
  public._stripe_fulfil(text, text, uuid, public.billing_products, text, text, text, bigint, text, timestamptz),
  public._stripe_dispute(text, jsonb)
from public, anon, authenticated, service_role;

grant select on public.stripe_disputes to alphogen_api;
revoke all on public.stripe_disputes from anon, authenticated;
alter table public.stripe_disputes enable row level security;
drop policy if exists "service_role_all_stripe_disputes" on public.stripe_disputes;
create policy "service_role_all_stripe_disputes" on public.stripe_disputes
  for all using (auth.role() = 'service_role');
drop policy if exists "api_read_stripe_disputes" on public.stripe_disputes;
create policy "api_read_stripe_disputes" on public.stripe_disputes for select to alphogen_api using (true);
