// XDP attach/detach/query through libbpf's bpf_xdp_* (netlink), inside a namespace.
#pragma once

#include <napi.h>

#include <optional>
#include <string>

namespace fastpath
{

struct XdpTargetSpec {
	std::string ifname;
	std::optional<std::string> netns;
	std::string mode = "auto"; // driver | generic | auto
};

XdpTargetSpec ParseXdpTarget(const Napi::Value &v, const std::string &op);
int XdpAttach(int progFd, const std::string &progName, const XdpTargetSpec &target, bool replace);

Napi::Value DetachXdpJs(const Napi::CallbackInfo &info);
Napi::Value XdpQueryJs(const Napi::CallbackInfo &info);

} // namespace fastpath
