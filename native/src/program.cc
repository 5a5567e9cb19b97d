#include "program.h"

#include <fcntl.h>

#include <cerrno>

#include "addon.h"
#include "args.h"
#include "errors.h"
#include "tc.h"
#include "test_run.h"
#include "xdp.h"

namespace fastpath
{

namespace
{

struct PendingProgram {
	UniqueFd fd;
	std::string name;
	std::string type;
};

} // namespace

Napi::Function BpfProgramWrap::Init(Napi::Env env)
{
	return DefineClass(env, "BpfProgram",
			   {
				   InstanceAccessor<&BpfProgramWrap::Name>("name"),
				   InstanceAccessor<&BpfProgramWrap::Type>("type"),
				   InstanceAccessor<&BpfProgramWrap::Fd>("fd"),
				   InstanceMethod<&BpfProgramWrap::TestRun>("testRun"),
				   InstanceMethod<&BpfProgramWrap::TestRunAsync>("testRunAsync"),
				   InstanceMethod<&BpfProgramWrap::AttachTc>("attachTc"),
				   InstanceMethod<&BpfProgramWrap::AttachXdp>("attachXdp"),
				   InstanceMethod<&BpfProgramWrap::Close>("close"),
			   });
}

Napi::Object BpfProgramWrap::Create(Napi::Env env, UniqueFd fd, const std::string &name,
				    const std::string &type)
{
	PendingProgram pending{ std::move(fd), name, type };
	return Data(env).programCtor.New({ Napi::External<PendingProgram>::New(env, &pending) });
}

BpfProgramWrap::BpfProgramWrap(const Napi::CallbackInfo &info)
    : Napi::ObjectWrap<BpfProgramWrap>(info)
{
	Guarded(info.Env(), [&] {
		if (info.Length() != 1 || !info[0].IsExternal())
			ThrowArg("BpfProgram", "BpfProgram cannot be constructed directly: use "
					       "BpfObject.program()");
		PendingProgram *pending = info[0].As<Napi::External<PendingProgram>>().Data();
		fd_ = std::move(pending->fd);
		name_ = pending->name;
		type_ = pending->type;
	});
}

int BpfProgramWrap::fd(const std::string &op) const
{
	if (!fd_.valid())
		ThrowClosed(op, "program '" + name_ + "'");
	return fd_.get();
}

Napi::Value BpfProgramWrap::Name(const Napi::CallbackInfo &info)
{
	return Napi::String::New(info.Env(), name_);
}
Napi::Value BpfProgramWrap::Type(const Napi::CallbackInfo &info)
{
	return Napi::String::New(info.Env(), type_);
}
Napi::Value BpfProgramWrap::Fd(const Napi::CallbackInfo &info)
{
	return Napi::Number::New(info.Env(), fd_.valid() ? fd_.get() : -1);
}

Napi::Value BpfProgramWrap::TestRun(const Napi::CallbackInfo &info)
{
	return Guarded(info.Env(), [&]() -> Napi::Value {
		int progFd = fd("bpf_prog_test_run_opts");
		TestRunSpec spec = ParseTestRunOptions(info[0], "BpfProgram.testRun", false);
		spec.progName = name_;
		return TestRunOutcomeToJs(info.Env(), RunTest(progFd, spec));
	});
}

Napi::Value BpfProgramWrap::TestRunAsync(const Napi::CallbackInfo &info)
{
	auto deferredError = [&](const FastpathError &err) {
		auto d = Napi::Promise::Deferred::New(info.Env());
		d.Reject(ToJsError(info.Env(), err).Value());
		return d.Promise();
	};
	try {
		int progFd = fd("bpf_prog_test_run_opts");
		TestRunSpec spec = ParseTestRunOptions(info[0], "BpfProgram.testRunAsync", true);
		spec.progName = name_;
		UniqueFd own(fcntl(progFd, F_DUPFD_CLOEXEC, 3));
		if (!own.valid())
			ThrowSys(errno, "fcntl",
				 "cannot duplicate the fd of program '" + name_ + "'");
		return QueueTestRun(info.Env(), std::move(own), std::move(spec));
	} catch (const FastpathError &err) {
		return deferredError(err); // an async API reports every failure through its promise
	}
}

Napi::Value BpfProgramWrap::AttachTc(const Napi::CallbackInfo &info)
{
	return Guarded(info.Env(), [&]() -> Napi::Value {
		int progFd = fd("bpf_tc_attach");
		TcTargetSpec target = ParseTcTarget(info[0], "BpfProgram.attachTc");
		bool replace = OptionalBool(info[0].As<Napi::Object>(), "replace",
					    "BpfProgram.attachTc", false);
		return TcAttach(info.Env(), progFd, name_, target, replace);
	});
}

Napi::Value BpfProgramWrap::AttachXdp(const Napi::CallbackInfo &info)
{
	return Guarded(info.Env(), [&]() -> Napi::Value {
		int progFd = fd("bpf_xdp_attach");
		XdpTargetSpec target = ParseXdpTarget(info[0], "BpfProgram.attachXdp");
		bool replace = OptionalBool(info[0].As<Napi::Object>(), "replace",
					    "BpfProgram.attachXdp", false);
		Napi::Object out = Napi::Object::New(info.Env());
		out.Set("ifindex", XdpAttach(progFd, name_, target, replace));
		return out;
	});
}

Napi::Value BpfProgramWrap::Close(const Napi::CallbackInfo &info)
{
	fd_.reset();
	return info.Env().Undefined();
}

} // namespace fastpath
