#include "xdp.h"

#include <bpf/libbpf.h>
#include <linux/if_link.h>

#include <cerrno>

#include "args.h"
#include "errors.h"
#include "libbpf_log.h"
#include "netns.h"

namespace fastpath
{

namespace
{

uint32_t ModeFlags(const std::string &mode)
{
	if (mode == "driver")
		return XDP_FLAGS_DRV_MODE;
	if (mode == "generic")
		return XDP_FLAGS_SKB_MODE;
	return 0;
}

std::string Where(const XdpTargetSpec &t, const NetnsGuard &ns)
{
	return "XDP (" + t.mode + ") of '" + t.ifname + "' in " + ns.label();
}

// The program id attached in the target's mode ('auto': whichever is attached).
uint32_t QueryId(int ifindex, const XdpTargetSpec &target, const NetnsGuard &ns,
		 uint8_t *attachMode)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, opts);
	int rc = bpf_xdp_query(ifindex, 0, &opts);
	if (rc != 0)
		ThrowSys(-rc, "bpf_xdp_query", "querying " + Where(target, ns) + " failed");
	if (attachMode != nullptr)
		*attachMode = opts.attach_mode;
	if (target.mode == "driver")
		return opts.drv_prog_id;
	if (target.mode == "generic")
		return opts.skb_prog_id;
	if (opts.prog_id != 0)
		return opts.prog_id;
	return opts.drv_prog_id != 0 ? opts.drv_prog_id :
	       opts.skb_prog_id != 0 ? opts.skb_prog_id :
				       opts.hw_prog_id;
}

} // namespace

XdpTargetSpec ParseXdpTarget(const Napi::Value &v, const std::string &op)
{
	Napi::Object o = ObjectArg(v, op, "target");
	XdpTargetSpec t;
	t.ifname = RequiredString(o, "ifname", op);
	t.netns = OptionalString(o, "netns", op);
	t.mode = OptionalString(o, "mode", op).value_or("auto");
	if (t.mode != "driver" && t.mode != "generic" && t.mode != "auto")
		ThrowArg(op,
			 op + ": mode must be 'driver', 'generic' or 'auto', got '" + t.mode + "'");
	return t;
}

int XdpAttach(int progFd, const std::string &progName, const XdpTargetSpec &target, bool replace)
{
	LibbpfLogCapture capture;
	NetnsGuard ns(target.netns, "bpf_xdp_attach");
	int ifindex = IfindexIn(target.ifname, ns, "bpf_xdp_attach");
	uint32_t flags = ModeFlags(target.mode) | (replace ? 0 : XDP_FLAGS_UPDATE_IF_NOEXIST);
	int rc = bpf_xdp_attach(ifindex, progFd, flags, nullptr);
	if (rc != 0) {
		std::string what =
			"attaching program '" + progName + "' to " + Where(target, ns) + " failed";
		if (rc == -EBUSY || rc == -EEXIST)
			what += " (a program is already attached; pass replace: true)";
		ThrowSys(-rc, "bpf_xdp_attach", what);
	}
	return ifindex;
}

Napi::Value DetachXdpJs(const Napi::CallbackInfo &info)
{
	return Guarded(info.Env(), [&]() -> Napi::Value {
		const std::string op = "bpf_xdp_detach";
		XdpTargetSpec target = ParseXdpTarget(info[0], "detachXdp");
		LibbpfLogCapture capture;
		NetnsGuard ns(target.netns, op);
		int ifindex = IfindexIn(target.ifname, ns, op);
		uint8_t attachMode = 0;
		if (QueryId(ifindex, target, ns, &attachMode) == 0)
			return Napi::Boolean::New(info.Env(), false);
		uint32_t flags = ModeFlags(target.mode);
		if (flags == 0) { // 'auto': detach in the mode it was attached with
			flags = attachMode == XDP_ATTACHED_SKB ? XDP_FLAGS_SKB_MODE :
				attachMode == XDP_ATTACHED_HW  ? XDP_FLAGS_HW_MODE :
								 XDP_FLAGS_DRV_MODE;
		}
		int rc = bpf_xdp_detach(ifindex, flags, nullptr);
		if (rc != 0)
			ThrowSys(-rc, op, "detaching " + Where(target, ns) + " failed");
		return Napi::Boolean::New(info.Env(), true);
	});
}

Napi::Value XdpQueryJs(const Napi::CallbackInfo &info)
{
	return Guarded(info.Env(), [&]() -> Napi::Value {
		const std::string op = "bpf_xdp_query";
		XdpTargetSpec target = ParseXdpTarget(info[0], "xdpQuery");
		LibbpfLogCapture capture;
		NetnsGuard ns(target.netns, op);
		int ifindex = IfindexIn(target.ifname, ns, op);
		return Napi::Number::New(info.Env(), QueryId(ifindex, target, ns, nullptr));
	});
}

} // namespace fastpath
