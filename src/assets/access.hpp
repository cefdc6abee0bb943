#pragma once
// Who may do what with an asset key (API.md /assets): admin anything; a user writes under
// users/<id>/ and reads or deletes under users/<id>/ and outputs/<id>/; anyone reads keys
// outside users/ and outputs/ (the original behaviour).
#include <string>
#include <string_view>

#include "auth/user.hpp"

namespace ag::assets {

bool may_read(const auth::Caller& caller, std::string_view key);
/// Delete and sign: the owner of a private key, or admin.
bool may_manage(const auth::Caller& caller, std::string_view key);
bool may_write(const auth::Caller& caller, std::string_view key);
/// Listing under `prefix`: admin anywhere; a user only inside their own two folders.
bool may_list(const auth::Caller& caller, std::string_view prefix);

/// "users/<id>/": where a user's uploads go and the default prefix of their listing.
std::string user_folder(std::string_view user_id);

}  // namespace ag::assets
