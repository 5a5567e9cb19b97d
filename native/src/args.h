// Reading JS arguments; a wrong type raises an EFASTPATH error naming the field.
#pragma once

#include <napi.h>

#include <cstdint>
#include <optional>
#include <string>

namespace fastpath
{

std::string StringArg(const Napi::Value &v, const std::string &op, const std::string &field);
std::optional<std::string> OptionalString(const Napi::Object &o, const char *key,
					  const std::string &op);
std::string RequiredString(const Napi::Object &o, const char *key, const std::string &op);
Napi::Object ObjectArg(const Napi::Value &v, const std::string &op, const std::string &field);
Napi::Buffer<uint8_t> BufferArg(const Napi::Value &v, const std::string &op,
				const std::string &field);
std::optional<Napi::Buffer<uint8_t>> OptionalBuffer(const Napi::Object &o, const char *key,
						    const std::string &op);
// An integer in [min, max]; undefined -> fallback.
int64_t IntArg(const Napi::Value &v, const std::string &op, const std::string &field,
	       int64_t fallback, int64_t min, int64_t max);
int64_t OptionalInt(const Napi::Object &o, const char *key, const std::string &op, int64_t fallback,
		    int64_t min, int64_t max);
bool OptionalBool(const Napi::Object &o, const char *key, const std::string &op, bool fallback);

} // namespace fastpath
