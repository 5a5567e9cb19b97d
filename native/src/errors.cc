#include "errors.h"

#include <cerrno>
#include <cstring>

#include "libbpf_log.h"

namespace fastpath
{

// Kernel-internal errno that bpf(2) can still return (no libc name).
constexpr int kEnotsupp = 524;

std::string ErrnoName(int errnum)
{
	if (errnum == kEnotsupp)
		return "ENOTSUPP";
	const char *name = strerrorname_np(errnum);
	return name != nullptr ? name : "E" + std::to_string(errnum);
}

std::string ErrnoText(int errnum)
{
	if (errnum == kEnotsupp)
		return "Operation not supported by this map or program type";
	char buf[128];
	return strerror_r(errnum, buf, sizeof(buf));
}

static FastpathError Make(int errnum, const std::string &code, const std::string &syscall,
			  const std::string &message)
{
	FastpathError err;
	err.errnum = errnum;
	err.code = code;
	err.syscall = syscall;
	err.message = message;
	err.libbpfLog = LibbpfLogCapture::CurrentText();
	return err;
}

void ThrowSys(int errnum, const std::string &syscall, const std::string &what)
{
	throw Make(errnum, ErrnoName(errnum), syscall, what + ": " + ErrnoText(errnum));
}

void ThrowSysMsg(int errnum, const std::string &syscall, const std::string &message)
{
	throw Make(errnum, ErrnoName(errnum), syscall, message);
}

void ThrowArg(const std::string &syscall, const std::string &message)
{
	throw Make(0, "EFASTPATH", syscall, message);
}

void ThrowClosed(const std::string &syscall, const std::string &what)
{
	throw Make(EBADF, "EBADF", syscall, what + " is closed");
}

Napi::Error ToJsError(Napi::Env env, const FastpathError &err)
{
	Napi::Error js = Napi::Error::New(env, err.message);
	Napi::Object obj = js.Value();
	obj.Set("name", "NativeError");
	obj.Set("errno", Napi::Number::New(env, err.errnum));
	obj.Set("code", err.code);
	obj.Set("syscall", err.syscall);
	if (!err.libbpfLog.empty())
		obj.Set("libbpfLog", err.libbpfLog);
	if (!err.verifierLog.empty())
		obj.Set("verifierLog", err.verifierLog);
	return js;
}

} // namespace fastpath
