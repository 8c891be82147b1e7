// SHA-1 (FIPS 180-4): script names (lower-case hex, as Redis) and DEBUG
// DIGEST's dataset signature.
#pragma once

#include <string>
#include <string_view>

namespace grabkv::server {

// The 20-byte SHA-1 of `data` into out.
void Sha1(std::string_view data, unsigned char out[20]);
// The 40-character lower-case hex form of a 20-byte digest.
std::string DigestHex(const unsigned char digest[20]);
// Returns the 40-character lower-case hex SHA-1 of `data`.
std::string Sha1Hex(std::string_view data);

}  // namespace grabkv::server
