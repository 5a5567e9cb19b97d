// Module init: registers the classes and functions of native/fastpath.d.ts.
#include <bpf/libbpf.h>
#include <napi.h>

#include <string>

#include "addon.h"
#include "af_packet.h"
#include "errors.h"
#include "libbpf_log.h"
#include "map.h"
#include "map_info.h"
#include "netdev_features.h"
#include "object.h"
#include "program.h"
#include "ringbuf.h"
#include "tc.h"
#include "xdp.h"

namespace fastpath
{

static Napi::Value PossibleCpusJs(const Napi::CallbackInfo &info)
{
	return Guarded(info.Env(), [&]() -> Napi::Value {
		return Napi::Number::New(info.Env(), PossibleCpus());
	});
}

Napi::Object Init(Napi::Env env, Napi::Object exports)
{
	InstallLibbpfPrint();
	auto *data = new AddonData();
	Napi::Function mapCtor = BpfMapWrap::Init(env);
	Napi::Function programCtor = BpfProgramWrap::Init(env);
	data->mapCtor = Napi::Persistent(mapCtor);
	data->programCtor = Napi::Persistent(programCtor);
	env.SetInstanceData(data);

	exports.Set("BpfObject", BpfObjectWrap::Init(env));
	exports.Set("BpfMap", mapCtor);
	exports.Set("BpfProgram", programCtor);
	exports.Set("RingBuffer", RingBufferWrap::Init(env));
	exports.Set("detachTc", Napi::Function::New<DetachTcJs>(env, "detachTc"));
	exports.Set("destroyClsact", Napi::Function::New<DestroyClsactJs>(env, "destroyClsact"));
	exports.Set("detachXdp", Napi::Function::New<DetachXdpJs>(env, "detachXdp"));
	exports.Set("xdpQuery", Napi::Function::New<XdpQueryJs>(env, "xdpQuery"));
	exports.Set("xdpFeatures", Napi::Function::New<XdpFeaturesJs>(env, "xdpFeatures"));
	exports.Set("sendFrames", Napi::Function::New<SendFramesJs>(env, "sendFrames"));
	exports.Set("ifindex", Napi::Function::New<IfindexJs>(env, "ifindex"));
	exports.Set("possibleCpus", Napi::Function::New<PossibleCpusJs>(env, "possibleCpus"));
	exports.Set("libbpfVersion", std::to_string(libbpf_major_version()) + "." +
					     std::to_string(libbpf_minor_version()));
	return exports;
}

} // namespace fastpath

static Napi::Object InitFastpath(Napi::Env env, Napi::Object exports)
{
	return fastpath::Init(env, exports);
}

NODE_API_MODULE(fastpath, InitFastpath)
