// RingBuffer: polls a BPF ring buffer map and hands back copies of the records.
#pragma once

#include <napi.h>

#include <cstdint>
#include <string>
#include <vector>

#include "unique_fd.h"

struct ring_buffer;

namespace fastpath
{

class RingBufferWrap : public Napi::ObjectWrap<RingBufferWrap>
{
      public:
	static Napi::Function Init(Napi::Env env);
	explicit RingBufferWrap(const Napi::CallbackInfo &info);
	~RingBufferWrap() override;

      private:
	Napi::Value Poll(const Napi::CallbackInfo &info);
	Napi::Value Close(const Napi::CallbackInfo &info);
	void Release();
	static int OnSample(void *ctx, void *data, size_t size);

	UniqueFd mapFd_;
	std::string name_;
	struct ring_buffer *rb_ = nullptr;
	std::vector<std::vector<uint8_t>> pending_;
};

} // namespace fastpath
