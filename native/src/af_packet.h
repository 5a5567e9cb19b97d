// Raw frame injection with an AF_PACKET socket created inside the target namespace.
#pragma once

#include <napi.h>

namespace fastpath
{

Napi::Value SendFramesJs(const Napi::CallbackInfo &info);
Napi::Value IfindexJs(const Napi::CallbackInfo &info);

} // namespace fastpath
