// BpfMap: a map handle owning its own fd; bytes in, bytes out.
#pragma once

#include <napi.h>

#include "map_info.h"
#include "unique_fd.h"

namespace fastpath
{

class BpfMapWrap : public Napi::ObjectWrap<BpfMapWrap>
{
      public:
	static Napi::Function Init(Napi::Env env);
	// Wraps fd (taken over) with its metadata.
	static Napi::Object Create(Napi::Env env, UniqueFd fd, MapMeta meta);

	explicit BpfMapWrap(const Napi::CallbackInfo &info);

	// The open fd; throws EBADF when closed.
	int fd(const std::string &op) const;
	const MapMeta &meta() const
	{
		return meta_;
	}

      private:
	static Napi::Value OpenPinned(const Napi::CallbackInfo &info);
	Napi::Value Info(const Napi::CallbackInfo &info);
	Napi::Value Lookup(const Napi::CallbackInfo &info);
	Napi::Value LookupPerCpu(const Napi::CallbackInfo &info);
	Napi::Value Update(const Napi::CallbackInfo &info);
	Napi::Value UpdatePerCpu(const Napi::CallbackInfo &info);
	Napi::Value Delete(const Napi::CallbackInfo &info);
	Napi::Value NextKey(const Napi::CallbackInfo &info);
	Napi::Value Keys(const Napi::CallbackInfo &info);
	Napi::Value BatchLookup(const Napi::CallbackInfo &info);
	Napi::Value BatchUpdate(const Napi::CallbackInfo &info);
	Napi::Value BatchDelete(const Napi::CallbackInfo &info);
	Napi::Value Pin(const Napi::CallbackInfo &info);
	Napi::Value Unpin(const Napi::CallbackInfo &info);
	Napi::Value Close(const Napi::CallbackInfo &info);

	std::string label() const
	{
		return "map '" + meta_.name + "'";
	}
	void CheckKey(size_t len, const std::string &op) const;
	void CheckValue(size_t len, const std::string &op) const;
	void CheckNotPerCpu(const std::string &op, const char *alternative) const;
	void CheckPerCpu(const std::string &op, const char *alternative) const;

	UniqueFd fd_;
	MapMeta meta_;
};

} // namespace fastpath
