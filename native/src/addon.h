// Per-environment addon state: the constructors used to hand out wrapped handles.
#pragma once

#include <napi.h>

namespace fastpath
{

struct AddonData {
	Napi::FunctionReference mapCtor;
	Napi::FunctionReference programCtor;
};

inline AddonData &Data(Napi::Env env)
{
	return *env.GetInstanceData<AddonData>();
}

} // namespace fastpath
