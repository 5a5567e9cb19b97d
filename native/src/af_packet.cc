#include "af_packet.h"

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <sys/socket.h>

#include <cerrno>
#include <vector>

#include "args.h"
#include "errors.h"
#include "netns.h"
#include "unique_fd.h"

namespace fastpath
{

Napi::Value SendFramesJs(const Napi::CallbackInfo &info)
{
	return Guarded(info.Env(), [&]() -> Napi::Value {
		const std::string op = "sendFrames";
		Napi::Object target = ObjectArg(info[0], op, "target");
		std::string ifname = RequiredString(target, "ifname", op);
		std::optional<std::string> netns = OptionalString(target, "netns", op);
		if (!info[1].IsArray())
			ThrowArg(op, "sendFrames: frames must be an array of Buffers");
		Napi::Array framesArg = info[1].As<Napi::Array>();
		std::vector<Napi::Buffer<uint8_t>> frames;
		for (uint32_t i = 0; i < framesArg.Length(); i++) {
			auto frame = BufferArg(framesArg.Get(i), op,
					       "frames[" + std::to_string(i) + "]");
			if (frame.Length() < ETH_HLEN)
				ThrowArg(op,
					 "sendFrames: frames[" + std::to_string(i) + "] is " +
						 std::to_string(frame.Length()) +
						 " bytes, shorter than an Ethernet header (14)");
			frames.push_back(frame);
		}

		NetnsGuard ns(netns, "socket");
		int ifindex = IfindexIn(ifname, ns, op);
		// protocol 0: a send-only socket that never queues received frames
		UniqueFd sock(socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0));
		if (!sock.valid())
			ThrowSys(errno, "socket",
				 "cannot open an AF_PACKET socket in " + ns.label());
		struct sockaddr_ll addr = {};
		addr.sll_family = AF_PACKET;
		addr.sll_ifindex = ifindex;
		addr.sll_protocol = htons(ETH_P_ALL);
		if (bind(sock.get(), reinterpret_cast<struct sockaddr *>(&addr), sizeof(addr)) != 0)
			ThrowSys(errno, "bind",
				 "cannot bind an AF_PACKET socket to '" + ifname + "' in " +
					 ns.label());
		size_t sent = 0;
		for (size_t i = 0; i < frames.size(); i++) {
			ssize_t n = send(sock.get(), frames[i].Data(), frames[i].Length(), 0);
			if (n < 0)
				ThrowSys(errno, "send",
					 "sending frame " + std::to_string(i) + " on '" + ifname +
						 "' in " + ns.label() + " failed after " +
						 std::to_string(sent) + " frames");
			sent++;
		}
		return Napi::Number::New(info.Env(), static_cast<double>(sent));
	});
}

Napi::Value IfindexJs(const Napi::CallbackInfo &info)
{
	return Guarded(info.Env(), [&]() -> Napi::Value {
		const std::string op = "ifindex";
		Napi::Object target = ObjectArg(info[0], op, "target");
		std::string ifname = RequiredString(target, "ifname", op);
		std::optional<std::string> netns = OptionalString(target, "netns", op);
		NetnsGuard ns(netns, op);
		return Napi::Number::New(info.Env(), IfindexIn(ifname, ns, op));
	});
}

} // namespace fastpath
