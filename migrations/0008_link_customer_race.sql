-- link_stripe_customer (0007), safe under racing first checkouts. Racing checkouts of one user
-- all get the same customer from Stripe (its Idempotency-Key is derived from the user), so they
-- insert the same (user_id, customer_id) row. With `on conflict (user_id)` only the primary key
-- was an arbiter: two inserts that both passed the conflict pre-check collided on the unique
-- customer_id index instead, and the later failed with 23505 (a 500 for that checkout; seen in
-- about 1 of 120 calls of a 24-way race). Every unique index is an arbiter now; the user's
-- recorded customer is still the answer.
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
  on conflict do nothing;
  return (select c.customer_id from public.stripe_customers c where c.user_id = p_user);
end
$$;
