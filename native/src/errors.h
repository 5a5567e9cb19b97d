// Failures inside the addon are FastpathError (plain C++, safe on worker threads); the
// JS boundary turns them into NativeError exceptions.
#pragma once

#include <napi.h>

#include <string>
#include <utility>

namespace fastpath
{

struct FastpathError {
	int errnum = 0;	     // positive errno, 0 for argument errors
	std::string code;    // 'ENOENT', ..., or 'EFASTPATH'
	std::string syscall; // failing operation
	std::string message;
	std::string libbpfLog;
	std::string verifierLog;
};

// A system error: message is "<what>: <strerror>".
[[noreturn]] void ThrowSys(int errnum, const std::string &syscall, const std::string &what);
// A system error whose message is given as-is (already names the problem).
[[noreturn]] void ThrowSysMsg(int errnum, const std::string &syscall, const std::string &message);
// An argument error (code EFASTPATH, errno 0).
[[noreturn]] void ThrowArg(const std::string &syscall, const std::string &message);
// A handle used after close(): code EBADF.
[[noreturn]] void ThrowClosed(const std::string &syscall, const std::string &what);

std::string ErrnoName(int errnum);
std::string ErrnoText(int errnum);

Napi::Error ToJsError(Napi::Env env, const FastpathError &err);

// Runs body and converts a FastpathError into a thrown JS NativeError.
template <typename Body> auto Guarded(Napi::Env env, Body &&body) -> decltype(body())
{
	try {
		return body();
	} catch (const FastpathError &err) {
		throw ToJsError(env, err);
	}
}

} // namespace fastpath
