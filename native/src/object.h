// BpfObject: one opened-and-loaded ELF object.
#pragma once

#include <napi.h>

#include <string>

struct bpf_object;
struct bpf_map;
struct bpf_program;

namespace fastpath
{

class BpfObjectWrap : public Napi::ObjectWrap<BpfObjectWrap>
{
      public:
	static Napi::Function Init(Napi::Env env);
	explicit BpfObjectWrap(const Napi::CallbackInfo &info);
	~BpfObjectWrap() override;

      private:
	Napi::Value Path(const Napi::CallbackInfo &info);
	Napi::Value Closed(const Napi::CallbackInfo &info);
	Napi::Value Programs(const Napi::CallbackInfo &info);
	Napi::Value Maps(const Napi::CallbackInfo &info);
	Napi::Value Map(const Napi::CallbackInfo &info);
	Napi::Value Program(const Napi::CallbackInfo &info);
	Napi::Value SetProgArraySlot(const Napi::CallbackInfo &info);
	Napi::Value BtfLayout(const Napi::CallbackInfo &info);
	Napi::Value Close(const Napi::CallbackInfo &info);

	struct bpf_object *obj(const std::string &op) const;
	struct bpf_map *FindMap(const std::string &name, const std::string &op) const;
	struct bpf_program *FindProgram(const std::string &name, const std::string &op) const;
	void Load(const std::string &op, const Napi::Object &options);

	std::string path_;
	struct bpf_object *obj_ = nullptr;
};

} // namespace fastpath
