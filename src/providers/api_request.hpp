#pragma once
// The request every provider API call starts from (RunPod, Replicate, fal, Stripe): its
// credentials, JSON accepted, 15 s to answer, a cap on the reply read into the core.
#include <cstdint>
#include <string>

#include "core/effects.hpp"

namespace ag::providers {

/// `method` `url` with `authorization` as that header's whole value ("Bearer ...", "Key ...").
effect::FetchSpec api_request(std::string method, std::string url, std::string authorization, std::uint64_t max_bytes);

}  // namespace ag::providers
