#pragma once
#include <string>
#include <string_view>

namespace ag {

/// Whether `text` is a UUID in its canonical 8-4-4-4-12 hexadecimal form (either case).
bool is_uuid(std::string_view text);

/// Whether `text` is a UUID as Postgres spells it: 8-4-4-4-12 lower-case hexadecimal.
bool is_canonical_uuid(std::string_view text);

/// A UUID's canonical text in lower case (Postgres' own spelling); `text` must be a UUID.
std::string lowercase_uuid(std::string_view text);

}  // namespace ag
