// BpfProgram: a program handle owning its own fd: test runs and attachment.
#pragma once

#include <napi.h>

#include <string>

#include "unique_fd.h"

namespace fastpath
{

class BpfProgramWrap : public Napi::ObjectWrap<BpfProgramWrap>
{
      public:
	static Napi::Function Init(Napi::Env env);
	static Napi::Object Create(Napi::Env env, UniqueFd fd, const std::string &name,
				   const std::string &type);
	explicit BpfProgramWrap(const Napi::CallbackInfo &info);

      private:
	Napi::Value Name(const Napi::CallbackInfo &info);
	Napi::Value Type(const Napi::CallbackInfo &info);
	Napi::Value Fd(const Napi::CallbackInfo &info);
	Napi::Value TestRun(const Napi::CallbackInfo &info);
	Napi::Value TestRunAsync(const Napi::CallbackInfo &info);
	Napi::Value AttachTc(const Napi::CallbackInfo &info);
	Napi::Value AttachXdp(const Napi::CallbackInfo &info);
	Napi::Value Close(const Napi::CallbackInfo &info);

	int fd(const std::string &op) const;

	UniqueFd fd_;
	std::string name_;
	std::string type_;
};

} // namespace fastpath
