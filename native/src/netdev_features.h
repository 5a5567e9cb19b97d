// A device's XDP feature bits (netdev_xdp_act), read over the kernel's "netdev" generic
// netlink family, inside a namespace.
#pragma once

#include <napi.h>

namespace fastpath
{

Napi::Value XdpFeaturesJs(const Napi::CallbackInfo &info);

} // namespace fastpath
