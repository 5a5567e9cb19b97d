#include "ringbuf.h"

#include <bpf/libbpf.h>
#include <fcntl.h>
#include <linux/bpf.h>

#include <cerrno>

#include "args.h"
#include "errors.h"
#include "libbpf_log.h"
#include "map.h"
#include "map_info.h"

namespace fastpath
{

Napi::Function RingBufferWrap::Init(Napi::Env env)
{
	return DefineClass(env, "RingBuffer",
			   {
				   InstanceMethod<&RingBufferWrap::Poll>("poll"),
				   InstanceMethod<&RingBufferWrap::Close>("close"),
			   });
}

RingBufferWrap::RingBufferWrap(const Napi::CallbackInfo &info)
    : Napi::ObjectWrap<RingBufferWrap>(info)
{
	Guarded(info.Env(), [&] {
		const std::string op = "ring_buffer__new";
		if (!info[0].IsObject())
			ThrowArg(op, "RingBuffer: map must be a BpfMap");
		Napi::Object obj = info[0].As<Napi::Object>();
		BpfMapWrap *map = nullptr;
		// Unwrap throws a JS error for foreign objects; report it as ours.
		napi_status status = napi_unwrap(info.Env(), obj, reinterpret_cast<void **>(&map));
		if (status != napi_ok || map == nullptr)
			ThrowArg(op, "RingBuffer: map must be a BpfMap");
		int fd = map->fd(op);
		name_ = map->meta().name;
		if (map->meta().type != BPF_MAP_TYPE_RINGBUF)
			ThrowSysMsg(EINVAL, op,
				    "map '" + name_ + "' is a " + MapTypeName(map->meta().type) +
					    " map, not a ringbuf");
		mapFd_ = UniqueFd(fcntl(fd, F_DUPFD_CLOEXEC, 3));
		if (!mapFd_.valid())
			ThrowSys(errno, "fcntl", "cannot duplicate the fd of map '" + name_ + "'");
		LibbpfLogCapture capture;
		rb_ = ring_buffer__new(mapFd_.get(), &RingBufferWrap::OnSample, this, nullptr);
		if (rb_ == nullptr)
			ThrowSys(errno, op, "opening ring buffer '" + name_ + "' failed");
	});
}

RingBufferWrap::~RingBufferWrap()
{
	Release();
}

void RingBufferWrap::Release()
{
	if (rb_ != nullptr)
		ring_buffer__free(rb_);
	rb_ = nullptr;
	mapFd_.reset();
}

int RingBufferWrap::OnSample(void *ctx, void *data, size_t size)
{
	auto *self = static_cast<RingBufferWrap *>(ctx);
	const auto *bytes = static_cast<const uint8_t *>(data);
	self->pending_.emplace_back(bytes, bytes + size);
	return 0;
}

Napi::Value RingBufferWrap::Poll(const Napi::CallbackInfo &info)
{
	return Guarded(info.Env(), [&]() -> Napi::Value {
		const std::string op = "ring_buffer__poll";
		if (rb_ == nullptr)
			ThrowClosed(op, "ring buffer '" + name_ + "'");
		int timeout = static_cast<int>(
			IntArg(info[0], "RingBuffer.poll", "timeoutMs", 0, 0, INT32_MAX));
		pending_.clear();
		LibbpfLogCapture capture;
		int rc = ring_buffer__poll(rb_, timeout);
		if (rc < 0 && rc != -EINTR)
			ThrowSys(-rc, op, "polling ring buffer '" + name_ + "' failed");
		Napi::Array out = Napi::Array::New(info.Env(), pending_.size());
		for (size_t i = 0; i < pending_.size(); i++)
			out.Set(static_cast<uint32_t>(i),
				Napi::Buffer<uint8_t>::Copy(info.Env(), pending_[i].data(),
							    pending_[i].size()));
		pending_.clear();
		return out;
	});
}

Napi::Value RingBufferWrap::Close(const Napi::CallbackInfo &info)
{
	Release();
	return info.Env().Undefined();
}

} // namespace fastpath
