-- _stripe_fulfil (0007), safe under racing events of one object. Invoices of Stripe API
-- 2025-03-31+ carry no payment_intent, so the payment lock does not serialise two events that
-- fulfil one invoice; the insert below is their only arbiter. With `on conflict (object_id)` only
-- the primary key arbitrated: two inserts that both passed the conflict pre-check collided on the
-- unique ledger_key instead, and the later failed with 23505 (a 5xx for that delivery; Stripe's
-- retry then found the fulfilment, so no credits were lost or doubled). Every unique index is an
-- arbiter now, as in 0008.

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
  on conflict do nothing;
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
