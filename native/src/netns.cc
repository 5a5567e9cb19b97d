#include "netns.h"

#include <fcntl.h>
#include <net/if.h>
#include <sched.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>

#include "errors.h"

namespace fastpath
{

static std::string ResolveNetnsPath(const std::string &ref, const std::string &op)
{
	if (ref.empty())
		ThrowArg(op, op + ": netns must not be empty");
	if (ref[0] == '/')
		return ref;
	if (ref.find('/') != std::string::npos || ref == "." || ref == "..")
		ThrowArg(op, op + ": netns '" + ref +
				     "' is neither a name under /run/netns nor an absolute path");
	return "/run/netns/" + ref;
}

NetnsGuard::NetnsGuard(const std::optional<std::string> &ref, const std::string &op)
    : label_(ref ? "netns '" + *ref + "'" : "the current netns")
{
	if (!ref)
		return;
	std::string path = ResolveNetnsPath(*ref, op);
	UniqueFd target(open(path.c_str(), O_RDONLY | O_CLOEXEC));
	if (!target.valid()) {
		int err = errno;
		if (err == ENOENT)
			ThrowSysMsg(err, "open", "netns '" + *ref + "' not found (" + path + ")");
		ThrowSys(err, "open", "cannot open netns '" + *ref + "' (" + path + ")");
	}
	saved_ = UniqueFd(open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
	if (!saved_.valid())
		ThrowSys(errno, "open", "cannot open /proc/thread-self/ns/net");
	if (setns(target.get(), CLONE_NEWNET) != 0) {
		int err = errno;
		saved_.reset();
		ThrowSys(err, "setns", "cannot enter netns '" + *ref + "' (" + path + ")");
	}
}

NetnsGuard::~NetnsGuard()
{
	if (!saved_.valid())
		return;
	if (setns(saved_.get(), CLONE_NEWNET) != 0) {
		// Continuing in the wrong namespace would silently misdirect every later call.
		perror("fastpath: cannot return to the original network namespace");
		abort();
	}
}

int IfindexIn(const std::string &ifname, const NetnsGuard &ns, const std::string &op)
{
	if (ifname.empty() || ifname.size() >= IF_NAMESIZE)
		ThrowArg(op, op + ": interface name '" + ifname + "' must be 1.." +
				     std::to_string(IF_NAMESIZE - 1) + " characters");
	unsigned idx = if_nametoindex(ifname.c_str());
	if (idx == 0) {
		int err = errno == ENXIO || errno == 0 ? ENODEV : errno;
		ThrowSysMsg(err, "if_nametoindex",
			    "interface '" + ifname + "' not found in " + ns.label());
	}
	return static_cast<int>(idx);
}

} // namespace fastpath
