// The BTF layout of a type as a JS BtfType tree (names, kinds, sizes, member offsets).
#pragma once

#include <napi.h>

#include <cstdint>

struct btf;

namespace fastpath
{

Napi::Object BtfTypeToJs(Napi::Env env, const struct btf *btf, uint32_t typeId);

} // namespace fastpath
