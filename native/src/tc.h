// TC clsact attach/detach through libbpf's bpf_tc_* (netlink), inside a namespace.
#pragma once

#include <napi.h>

#include <optional>
#include <string>

namespace fastpath
{

struct TcTargetSpec {
	std::string ifname;
	std::optional<std::string> netns;
	bool ingress = true;
	uint32_t priority = 1;
	uint32_t handle = 1;
};

TcTargetSpec ParseTcTarget(const Napi::Value &v, const std::string &op);
// Attaches progFd; returns the JS TcAttachment.
Napi::Object TcAttach(Napi::Env env, int progFd, const std::string &progName,
		      const TcTargetSpec &target, bool replace);

Napi::Value DetachTcJs(const Napi::CallbackInfo &info);
Napi::Value DestroyClsactJs(const Napi::CallbackInfo &info);

} // namespace fastpath
