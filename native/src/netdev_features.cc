#include "netdev_features.h"

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "args.h"
#include "errors.h"
#include "netns.h"
#include "unique_fd.h"

namespace fastpath
{

namespace
{

// include/uapi/linux/netdev.h (kernel 6.3+); Debian 12's headers predate it.
constexpr char kNetdevFamily[] = "netdev";
constexpr uint8_t kNetdevCmdDevGet = 1;
constexpr uint16_t kNetdevAttrIfindex = 1;
constexpr uint16_t kNetdevAttrXdpFeatures = 3;

struct Request {
	std::vector<uint8_t> bytes;

	Request(uint16_t type, uint8_t cmd) : bytes(NLMSG_HDRLEN + GENL_HDRLEN, 0)
	{
		auto *nlh = reinterpret_cast<nlmsghdr *>(bytes.data());
		nlh->nlmsg_type = type;
		nlh->nlmsg_flags = NLM_F_REQUEST;
		nlh->nlmsg_seq = 1;
		auto *genl = reinterpret_cast<genlmsghdr *>(bytes.data() + NLMSG_HDRLEN);
		genl->cmd = cmd;
		genl->version = 1;
	}

	void Attr(uint16_t type, const void *data, size_t len)
	{
		size_t at = bytes.size();
		bytes.resize(at + NLA_ALIGN(NLA_HDRLEN + len), 0);
		auto *nla = reinterpret_cast<nlattr *>(bytes.data() + at);
		nla->nla_type = type;
		nla->nla_len = static_cast<uint16_t>(NLA_HDRLEN + len);
		std::memcpy(bytes.data() + at + NLA_HDRLEN, data, len);
	}

	void Finish()
	{
		reinterpret_cast<nlmsghdr *>(bytes.data())->nlmsg_len =
			static_cast<uint32_t>(bytes.size());
	}
};

// Sends one request and returns the attributes of the first reply, or throws with the
// kernel's error.
std::vector<std::pair<uint16_t, std::vector<uint8_t>>>
Transact(int fd, Request &req, const std::string &op, const std::string &what)
{
	req.Finish();
	if (send(fd, req.bytes.data(), req.bytes.size(), 0) < 0)
		ThrowSys(errno, "send", what);
	std::vector<uint8_t> buf(16384);
	ssize_t n = recv(fd, buf.data(), buf.size(), 0);
	if (n < 0)
		ThrowSys(errno, "recv", what);
	auto *nlh = reinterpret_cast<nlmsghdr *>(buf.data());
	if (!NLMSG_OK(nlh, static_cast<uint32_t>(n)))
		ThrowSysMsg(EPROTO, op, what + ": short netlink reply");
	if (nlh->nlmsg_type == NLMSG_ERROR) {
		auto *err = reinterpret_cast<nlmsgerr *>(NLMSG_DATA(nlh));
		ThrowSys(-err->error, op, what);
	}
	std::vector<std::pair<uint16_t, std::vector<uint8_t>>> attrs;
	size_t off = NLMSG_HDRLEN + GENL_HDRLEN;
	while (off + NLA_HDRLEN <= nlh->nlmsg_len) {
		auto *nla = reinterpret_cast<nlattr *>(buf.data() + off);
		if (nla->nla_len < NLA_HDRLEN || off + nla->nla_len > nlh->nlmsg_len)
			break;
		const uint8_t *data = buf.data() + off + NLA_HDRLEN;
		attrs.emplace_back(nla->nla_type & NLA_TYPE_MASK,
				   std::vector<uint8_t>(data, data + nla->nla_len - NLA_HDRLEN));
		off += NLA_ALIGN(nla->nla_len);
	}
	return attrs;
}

uint16_t NetdevFamilyId(int fd, const std::string &op)
{
	Request req(GENL_ID_CTRL, CTRL_CMD_GETFAMILY);
	req.Attr(CTRL_ATTR_FAMILY_NAME, kNetdevFamily, sizeof(kNetdevFamily));
	for (const auto &[type, data] :
	     Transact(fd, req, op, "resolving the 'netdev' netlink family (kernel 6.3+)")) {
		if (type == CTRL_ATTR_FAMILY_ID && data.size() >= 2) {
			uint16_t id;
			std::memcpy(&id, data.data(), 2);
			return id;
		}
	}
	ThrowSysMsg(EPROTO, op, "the 'netdev' netlink family reply carries no id");
}

} // namespace

Napi::Value XdpFeaturesJs(const Napi::CallbackInfo &info)
{
	return Guarded(info.Env(), [&]() -> Napi::Value {
		const std::string op = "xdpFeatures";
		Napi::Object target = ObjectArg(info[0], op, "target");
		std::optional<std::string> name = OptionalString(target, "ifname", op);
		int64_t index = OptionalInt(target, "ifindex", op, 0, 0, INT32_MAX);
		if (name.has_value() == (index != 0))
			ThrowArg(op, op + ": give either ifname or ifindex");
		std::optional<std::string> netns = OptionalString(target, "netns", op);
		NetnsGuard ns(netns, op);
		uint32_t ifindex = name ? static_cast<uint32_t>(IfindexIn(*name, ns, op)) :
					  static_cast<uint32_t>(index);
		std::string ifname = name ? *name : "ifindex " + std::to_string(ifindex);
		UniqueFd fd(socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC));
		if (fd.get() < 0)
			ThrowSys(errno, "socket",
				 "opening a generic netlink socket in " + ns.label());
		Request req(NetdevFamilyId(fd.get(), op), kNetdevCmdDevGet);
		req.Attr(kNetdevAttrIfindex, &ifindex, sizeof(ifindex));
		for (const auto &[type, data] :
		     Transact(fd.get(), req, op,
			      "reading the XDP features of '" + ifname + "' in " + ns.label())) {
			if (type == kNetdevAttrXdpFeatures && data.size() >= 8) {
				uint64_t bits;
				std::memcpy(&bits, data.data(), 8);
				return Napi::Number::New(info.Env(), static_cast<double>(bits));
			}
		}
		ThrowSysMsg(EPROTO, op,
			    "the netdev reply for '" + ifname + "' carries no xdp-features");
	});
}

} // namespace fastpath
