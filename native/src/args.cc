#include "args.h"

#include <cmath>

#include "errors.h"

namespace fastpath
{

std::string StringArg(const Napi::Value &v, const std::string &op, const std::string &field)
{
	if (!v.IsString())
		ThrowArg(op, op + ": " + field + " must be a string");
	return v.As<Napi::String>().Utf8Value();
}

std::optional<std::string> OptionalString(const Napi::Object &o, const char *key,
					  const std::string &op)
{
	Napi::Value v = o.Get(key);
	if (v.IsUndefined() || v.IsNull())
		return std::nullopt;
	return StringArg(v, op, key);
}

std::string RequiredString(const Napi::Object &o, const char *key, const std::string &op)
{
	Napi::Value v = o.Get(key);
	if (v.IsUndefined())
		ThrowArg(op, op + ": " + key + " is required");
	return StringArg(v, op, key);
}

Napi::Object ObjectArg(const Napi::Value &v, const std::string &op, const std::string &field)
{
	if (!v.IsObject())
		ThrowArg(op, op + ": " + field + " must be an object");
	return v.As<Napi::Object>();
}

Napi::Buffer<uint8_t> BufferArg(const Napi::Value &v, const std::string &op,
				const std::string &field)
{
	if (!v.IsBuffer())
		ThrowArg(op, op + ": " + field + " must be a Buffer");
	return v.As<Napi::Buffer<uint8_t>>();
}

std::optional<Napi::Buffer<uint8_t>> OptionalBuffer(const Napi::Object &o, const char *key,
						    const std::string &op)
{
	Napi::Value v = o.Get(key);
	if (v.IsUndefined() || v.IsNull())
		return std::nullopt;
	return BufferArg(v, op, key);
}

int64_t IntArg(const Napi::Value &v, const std::string &op, const std::string &field,
	       int64_t fallback, int64_t min, int64_t max)
{
	if (v.IsUndefined())
		return fallback;
	if (!v.IsNumber())
		ThrowArg(op, op + ": " + field + " must be a number");
	double d = v.As<Napi::Number>().DoubleValue();
	if (!std::isfinite(d) || std::floor(d) != d)
		ThrowArg(op, op + ": " + field + " must be an integer, got " +
				     v.ToString().Utf8Value());
	if (d < static_cast<double>(min) || d > static_cast<double>(max))
		ThrowArg(op, op + ": " + field + " must be in [" + std::to_string(min) + ", " +
				     std::to_string(max) + "], got " + v.ToString().Utf8Value());
	return static_cast<int64_t>(d);
}

int64_t OptionalInt(const Napi::Object &o, const char *key, const std::string &op, int64_t fallback,
		    int64_t min, int64_t max)
{
	return IntArg(o.Get(key), op, key, fallback, min, max);
}

bool OptionalBool(const Napi::Object &o, const char *key, const std::string &op, bool fallback)
{
	Napi::Value v = o.Get(key);
	if (v.IsUndefined())
		return fallback;
	if (!v.IsBoolean())
		ThrowArg(op, op + ": " + std::string(key) + " must be a boolean");
	return v.As<Napi::Boolean>().Value();
}

} // namespace fastpath
