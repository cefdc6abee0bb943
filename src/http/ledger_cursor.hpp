#pragma once
// The cursor of GET /credits/ledger: opaque to clients, base64url of "v1:<last id>". Pages
// are keyed by ledger id (append order), so entries appended meanwhile never shift a page.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ag::http {

/// The cursor that continues after (below) ledger entry `last_id`.
std::string encode_ledger_cursor(std::int64_t last_id);

/// The ledger id a cursor continues after; nullopt for anything encode_ledger_cursor did
/// not produce (a cursor of another version, a non-positive id, ...).
std::optional<std::int64_t> decode_ledger_cursor(std::string_view cursor);

}  // namespace ag::http
