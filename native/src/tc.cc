#include "tc.h"

#include <bpf/libbpf.h>

#include <cerrno>

#include "args.h"
#include "errors.h"
#include "libbpf_log.h"
#include "netns.h"

namespace fastpath
{

namespace
{

const char *DirName(bool ingress)
{
	return ingress ? "ingress" : "egress";
}

std::string Where(const TcTargetSpec &t, const NetnsGuard &ns)
{
	return std::string("tc ") + DirName(t.ingress) + " of '" + t.ifname + "' in " + ns.label();
}

} // namespace

TcTargetSpec ParseTcTarget(const Napi::Value &v, const std::string &op)
{
	Napi::Object o = ObjectArg(v, op, "target");
	TcTargetSpec t;
	t.ifname = RequiredString(o, "ifname", op);
	t.netns = OptionalString(o, "netns", op);
	std::string dir = RequiredString(o, "direction", op);
	if (dir != "ingress" && dir != "egress")
		ThrowArg(op, op + ": direction must be 'ingress' or 'egress', got '" + dir + "'");
	t.ingress = dir == "ingress";
	t.priority = static_cast<uint32_t>(OptionalInt(o, "priority", op, 1, 1, 0xffff));
	t.handle = static_cast<uint32_t>(OptionalInt(o, "handle", op, 1, 1, UINT32_MAX));
	return t;
}

Napi::Object TcAttach(Napi::Env env, int progFd, const std::string &progName,
		      const TcTargetSpec &target, bool replace)
{
	LibbpfLogCapture capture;
	NetnsGuard ns(target.netns, "bpf_tc_attach");
	int ifindex = IfindexIn(target.ifname, ns, "bpf_tc_attach");
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
		    .attach_point = target.ingress ? BPF_TC_INGRESS : BPF_TC_EGRESS);
	int rc = bpf_tc_hook_create(&hook);
	if (rc != 0 && rc != -EEXIST)
		ThrowSys(-rc, "bpf_tc_hook_create",
			 "creating the clsact qdisc on '" + target.ifname + "' in " + ns.label() +
				 " failed");
	bool created = rc == 0;
	LIBBPF_OPTS(bpf_tc_opts, opts, .prog_fd = progFd,
		    .flags = replace ? static_cast<__u32>(BPF_TC_F_REPLACE) : 0u,
		    .handle = target.handle, .priority = target.priority);
	rc = bpf_tc_attach(&hook, &opts);
	if (rc != 0) {
		if (created) { // leave nothing half-applied
			LIBBPF_OPTS(bpf_tc_hook, all, .ifindex = ifindex,
				    .attach_point = static_cast<enum bpf_tc_attach_point>(
					    BPF_TC_INGRESS | BPF_TC_EGRESS));
			bpf_tc_hook_destroy(&all);
		}
		ThrowSys(-rc, "bpf_tc_attach",
			 "attaching program '" + progName + "' to " + Where(target, ns) +
				 " failed");
	}
	Napi::Object out = Napi::Object::New(env);
	out.Set("ifindex", ifindex);
	out.Set("direction", DirName(target.ingress));
	out.Set("priority", opts.priority);
	out.Set("handle", opts.handle);
	out.Set("createdQdisc", created);
	return out;
}

Napi::Value DetachTcJs(const Napi::CallbackInfo &info)
{
	return Guarded(info.Env(), [&]() -> Napi::Value {
		const std::string op = "bpf_tc_detach";
		TcTargetSpec target = ParseTcTarget(info[0], "detachTc");
		LibbpfLogCapture capture;
		NetnsGuard ns(target.netns, op);
		int ifindex = IfindexIn(target.ifname, ns, op);
		LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
			    .attach_point = target.ingress ? BPF_TC_INGRESS : BPF_TC_EGRESS);
		LIBBPF_OPTS(bpf_tc_opts, opts, .handle = target.handle,
			    .priority = target.priority);
		int rc = bpf_tc_detach(&hook, &opts);
		if (rc == -ENOENT || rc == -EINVAL)
			return Napi::Boolean::New(info.Env(), false);
		if (rc != 0)
			ThrowSys(-rc, op,
				 "detaching the filter from " + Where(target, ns) + " failed");
		return Napi::Boolean::New(info.Env(), true);
	});
}

Napi::Value DestroyClsactJs(const Napi::CallbackInfo &info)
{
	return Guarded(info.Env(), [&]() -> Napi::Value {
		const std::string op = "bpf_tc_hook_destroy";
		Napi::Object o = ObjectArg(info[0], "destroyClsact", "target");
		std::string ifname = RequiredString(o, "ifname", "destroyClsact");
		std::optional<std::string> netns = OptionalString(o, "netns", "destroyClsact");
		LibbpfLogCapture capture;
		NetnsGuard ns(netns, op);
		int ifindex = IfindexIn(ifname, ns, op);
		LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
			    .attach_point = static_cast<enum bpf_tc_attach_point>(BPF_TC_INGRESS |
										  BPF_TC_EGRESS));
		int rc = bpf_tc_hook_destroy(&hook);
		if (rc == -ENOENT || rc == -EINVAL)
			return Napi::Boolean::New(info.Env(), false);
		if (rc != 0)
			ThrowSys(-rc, op,
				 "removing the clsact qdisc of '" + ifname + "' in " + ns.label() +
					 " failed");
		return Napi::Boolean::New(info.Env(), true);
	});
}

} // namespace fastpath
