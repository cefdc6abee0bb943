#include "jobs/settlement.hpp"

#include "core/log.hpp"
#include "inputs/pricing.hpp"
#include "jobs/store.hpp"
#include "models/terms.hpp"

namespace ag::jobs {

Task<std::optional<std::int64_t>> settled_price(Ctx& ctx, const std::string& job_id, const Json& usage) {
  if (!usage.is_object() || usage.empty()) co_return std::nullopt;
  std::optional<JobTerms> priced = co_await job_terms(ctx, job_id);
  if (!priced || !priced->terms.is_object()) co_return std::nullopt;
  const Json& terms = priced->terms;
  models::CheckedTerms checked =
      models::check_terms(terms.value("input_schema", Json()), Json(), terms.value("pricing", Json()));
  if (!checked.terms) {
    log::error("a job's pricing terms do not read: its reservation stands",
               {{"request_id", ctx.request_id()}, {"job_id", job_id}, {"problem", checked.problem}});
    co_return std::nullopt;
  }
  co_return inputs::settle(checked.terms->pricing, priced->input, usage);
}

}  // namespace ag::jobs
