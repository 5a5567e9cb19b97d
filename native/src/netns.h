// Runs a piece of work inside a network namespace: setns on the calling thread, and back
// to the original namespace when the guard goes out of scope, also on error.
#pragma once

#include <optional>
#include <string>

#include "unique_fd.h"

namespace fastpath
{

class NetnsGuard
{
      public:
	// ref: a name under /run/netns, an absolute path, or nullopt for the current namespace.
	NetnsGuard(const std::optional<std::string> &ref, const std::string &op);
	~NetnsGuard();
	NetnsGuard(const NetnsGuard &) = delete;
	NetnsGuard &operator=(const NetnsGuard &) = delete;

	// For messages: "netns 'fp-x'" or "the current netns".
	const std::string &label() const
	{
		return label_;
	}

      private:
	UniqueFd saved_;
	std::string label_;
};

// ifindex of ifname in the namespace the thread is in now; ENODEV naming it when absent.
int IfindexIn(const std::string &ifname, const NetnsGuard &ns, const std::string &op);

} // namespace fastpath
