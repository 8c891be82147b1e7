#pragma once

namespace grabkv::server {
inline constexpr const char* kGrabkvVersion = "0.1.0";
// The Redis version whose behaviour grabkv reproduces; reported as
// redis_version in INFO and HELLO because clients use it to pick features.
inline constexpr const char* kRedisCompatVersion = "7.0.15";
}  // namespace grabkv::server
