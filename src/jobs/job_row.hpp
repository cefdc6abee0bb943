#pragma once
// A job as public.jobs records it, decoded once where a statement returns it: the code that
// polls, applies, cancels and shows jobs reads fields, not column names.
#include <cstdint>
#include <optional>
#include <string>

#include "core/json.hpp"

namespace ag::jobs {

struct JobRow {
  std::string id;
  std::optional<std::string> user_id;  // nullopt: an admin's job
  std::string status;
  std::optional<std::string> model;
  std::optional<std::string> run_model;     // the model that ran it (a fallback's); null until submitted
  std::optional<std::string> content_type;  // its outputs' kind
  std::int64_t cost_credits = 0;
  std::optional<std::int64_t> charged_credits;  // what it cost once ended; nullopt while open
  std::optional<std::string> provider;
  std::optional<std::string> provider_job_id;
  std::optional<std::string> provider_endpoint_id;  // nullopt: the provider's configured one
  Json result = nullptr;                            // the provider's latest report
  Json error = nullptr;
  Json outputs = nullptr;  // the stored files, [{key, content_type, ...}]
  std::optional<std::string> created_at;
  std::optional<std::string> updated_at;
  std::optional<std::string> finished_at;
  std::optional<std::string> webhook_token_hash;  // the callback token's SHA-256: never shown
  bool on_queue = false;                          // queued with its message on the Queue
  bool overdue = false;                           // the sweep's: more than an hour past the deadline

  /// The row as a statement of jobs/store.cpp returns it (absent columns keep their defaults).
  static JobRow from(const Json& row);

  /// The owner as storage keys and signing name it: the user id, or "admin".
  std::string owner() const { return user_id.value_or("admin"); }
};

}  // namespace ag::jobs
