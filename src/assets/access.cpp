#include "assets/access.hpp"

#include "assets/key.hpp"

namespace ag::assets {
namespace {
bool owned_by_caller(const auth::Caller& caller, std::string_view key) {
  auto owner = owner_of(key);
  return caller.user && owner && *owner == caller.user->id;
}

bool starts_with(std::string_view text, std::string_view prefix) { return text.substr(0, prefix.size()) == prefix; }
}  // namespace

std::string user_folder(std::string_view user_id) { return "users/" + std::string(user_id) + "/"; }

bool may_read(const auth::Caller& caller, std::string_view key) {
  return caller.admin || !is_private(key) || owned_by_caller(caller, key);
}

bool may_manage(const auth::Caller& caller, std::string_view key) {
  return caller.admin || owned_by_caller(caller, key);
}

bool may_write(const auth::Caller& caller, std::string_view key) {
  return caller.admin || (caller.user && starts_with(key, user_folder(caller.user->id)));
}

bool may_list(const auth::Caller& caller, std::string_view prefix) {
  if (caller.admin) return true;
  if (!caller.user) return false;
  const std::string& id = caller.user->id;
  return starts_with(prefix, user_folder(id)) || starts_with(prefix, "outputs/" + id + "/");
}

}  // namespace ag::assets
