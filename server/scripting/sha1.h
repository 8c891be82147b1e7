// SHA-1 (FIPS 180-4), used to name scripts as Redis does (lower-case hex).
#pragma once

#include <string>
#include <string_view>

namespace grabkv::server::scripting {

// Returns the 40-character lower-case hex SHA-1 of `data`.
std::string Sha1Hex(std::string_view data);

}  // namespace grabkv::server::scripting
