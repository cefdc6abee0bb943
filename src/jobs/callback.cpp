#include "jobs/callback.hpp"

#include "core/uuid.hpp"
#include "crypto/constant_time.hpp"
#include "crypto/sha256.hpp"
#include "jobs/poll.hpp"
#include "jobs/provider_state.hpp"
#include "jobs/store.hpp"

namespace ag::jobs {

Task<std::optional<JobRow>> find_callback_job(Ctx& ctx, std::string_view job_id,
                                              const std::optional<std::string>& token) {
  std::optional<JobRow> job;
  if (is_uuid(job_id)) job = co_await find_job(ctx, std::string(job_id));
  auto expected = job ? job->webhook_token_hash : std::nullopt;
  if (!expected || !token || !crypto::constant_time_equal(crypto::sha256_hex(*token), *expected))
    co_return std::nullopt;
  co_return job;
}

Task<Json> apply_callback(Ctx& ctx, const providers::Provider& provider, const JobRow& job, std::string_view body) {
  auto state = provider.parse_callback(body);
  const std::string name(provider.name());
  if (!state || !state->status)
    co_await ctx.raise(errors::invalid_request("expected a " + name + " job status object"));
  if (job.provider_job_id && *job.provider_job_id != state->id)
    co_await ctx.raise(errors::invalid_request("not this job's " + name + " id"));
  providers::Polled finished = co_await with_result(ctx, provider, std::move(*state));
  // Answered 502, the provider delivers the callback again later.
  if (finished.unreachable) co_await ctx.raise(errors::provider_error("the " + name + " result could not be read"));
  AppliedState applied = co_await apply_provider_state(ctx, provider, job, *finished.state, "webhook");
  co_return Json{{"ok", true}, {"received", true}, {"applied", applied.applied}, {"status", applied.status}};
}

}  // namespace ag::jobs
