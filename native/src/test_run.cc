#include "test_run.h"

#include <bpf/bpf.h>
#include <pthread.h>
#include <sched.h>
#include <unistd.h>

#include <cerrno>

#include "args.h"
#include "errors.h"
#include "netns.h"

namespace fastpath
{

namespace
{

constexpr uint32_t kLiveFrames = 2; // BPF_F_TEST_XDP_LIVE_FRAMES: no data/ctx out allowed

std::vector<uint8_t> ToVector(const Napi::Buffer<uint8_t> &b)
{
	return { b.Data(), b.Data() + b.Length() };
}

class AffinityPin
{
      public:
	explicit AffinityPin(std::optional<int> cpu)
	{
		if (!cpu)
			return;
		if (pthread_getaffinity_np(pthread_self(), sizeof(saved_), &saved_) != 0)
			ThrowSys(errno, "pthread_getaffinity_np",
				 "cannot read the worker's CPU affinity");
		cpu_set_t want;
		CPU_ZERO(&want);
		CPU_SET(*cpu, &want);
		int err = pthread_setaffinity_np(pthread_self(), sizeof(want), &want);
		if (err != 0)
			ThrowSys(err, "pthread_setaffinity_np",
				 "cannot pin the worker to CPU " + std::to_string(*cpu));
		active_ = true;
	}
	~AffinityPin()
	{
		// The pool thread is shared: give it back unpinned.
		if (active_)
			pthread_setaffinity_np(pthread_self(), sizeof(saved_), &saved_);
	}

      private:
	cpu_set_t saved_;
	bool active_ = false;
};

class TestRunWorker : public Napi::AsyncWorker
{
      public:
	TestRunWorker(Napi::Env env, UniqueFd progFd, TestRunSpec spec)
	    : Napi::AsyncWorker(env), deferred_(Napi::Promise::Deferred::New(env)),
	      progFd_(std::move(progFd)), spec_(std::move(spec))
	{
	}

	Napi::Promise Promise()
	{
		return deferred_.Promise();
	}

	void Execute() override
	{
		try {
			AffinityPin pin(spec_.pinCpu);
			outcome_ = RunTest(progFd_.get(), spec_);
		} catch (const FastpathError &err) {
			error_ = err;
			SetError(err.message);
		}
	}
	void OnOK() override
	{
		deferred_.Resolve(TestRunOutcomeToJs(Env(), outcome_));
	}
	void OnError(const Napi::Error &) override
	{
		deferred_.Reject(ToJsError(Env(), error_).Value());
	}

      private:
	Napi::Promise::Deferred deferred_;
	UniqueFd progFd_;
	TestRunSpec spec_;
	TestRunOutcome outcome_;
	FastpathError error_;
};

} // namespace

TestRunSpec ParseTestRunOptions(const Napi::Value &value, const std::string &op, bool allowPinCpu)
{
	Napi::Object o = ObjectArg(value, op, "options");
	TestRunSpec spec;
	spec.flags = static_cast<uint32_t>(OptionalInt(o, "flags", op, 0, 0, UINT32_MAX));
	bool live = (spec.flags & kLiveFrames) != 0;
	if (auto data = OptionalBuffer(o, "data", op))
		spec.data = ToVector(*data);
	uint32_t dataLen = spec.data ? static_cast<uint32_t>(spec.data->size()) : 0;
	spec.dataSizeOut = static_cast<uint32_t>(OptionalInt(
		o, "dataSizeOut", op, spec.data && !live ? dataLen + 512 : 0, 0, UINT32_MAX));
	if (auto ctx = OptionalBuffer(o, "ctx", op))
		spec.ctx = ToVector(*ctx);
	uint32_t ctxLen = spec.ctx ? static_cast<uint32_t>(spec.ctx->size()) : 0;
	spec.ctxSizeOut = static_cast<uint32_t>(
		OptionalInt(o, "ctxSizeOut", op, live ? 0 : ctxLen, 0, UINT32_MAX));
	spec.repeat = static_cast<int>(OptionalInt(o, "repeat", op, 1, 1, INT32_MAX));
	spec.batchSize = static_cast<uint32_t>(OptionalInt(o, "batchSize", op, 0, 0, UINT32_MAX));
	spec.cpu = static_cast<uint32_t>(OptionalInt(o, "cpu", op, 0, 0, UINT32_MAX));
	spec.netns = OptionalString(o, "netns", op);
	if (allowPinCpu && !o.Get("pinCpu").IsUndefined()) {
		long cpus = sysconf(_SC_NPROCESSORS_CONF);
		spec.pinCpu = static_cast<int>(
			OptionalInt(o, "pinCpu", op, 0, 0, cpus > 0 ? cpus - 1 : CPU_SETSIZE - 1));
	}
	return spec;
}

TestRunOutcome RunTest(int progFd, const TestRunSpec &spec)
{
	TestRunOutcome outcome;
	std::vector<uint8_t> dataOut(spec.dataSizeOut), ctxOut(spec.ctxSizeOut);
	LIBBPF_OPTS(bpf_test_run_opts, opts);
	if (spec.data) {
		opts.data_in = spec.data->data();
		opts.data_size_in = static_cast<__u32>(spec.data->size());
	}
	if (spec.dataSizeOut > 0) {
		opts.data_out = dataOut.data();
		opts.data_size_out = spec.dataSizeOut;
	}
	if (spec.ctx) {
		opts.ctx_in = spec.ctx->data();
		opts.ctx_size_in = static_cast<__u32>(spec.ctx->size());
	}
	if (spec.ctxSizeOut > 0) {
		opts.ctx_out = ctxOut.data();
		opts.ctx_size_out = spec.ctxSizeOut;
	}
	opts.repeat = spec.repeat;
	opts.flags = spec.flags;
	opts.batch_size = spec.batchSize;
	opts.cpu = spec.cpu;
	NetnsGuard ns(spec.netns, "bpf_prog_test_run_opts");
	if (bpf_prog_test_run_opts(progFd, &opts) != 0)
		ThrowSys(errno, "bpf_prog_test_run_opts",
			 "test run of program '" + spec.progName + "' failed");
	outcome.retval = opts.retval;
	outcome.duration = opts.duration;
	if (spec.dataSizeOut > 0 && opts.data_size_out > 0) {
		dataOut.resize(opts.data_size_out);
		outcome.data = std::move(dataOut);
	}
	if (spec.ctxSizeOut > 0 && opts.ctx_size_out > 0) {
		ctxOut.resize(opts.ctx_size_out);
		outcome.ctx = std::move(ctxOut);
	}
	return outcome;
}

Napi::Object TestRunOutcomeToJs(Napi::Env env, const TestRunOutcome &outcome)
{
	Napi::Object o = Napi::Object::New(env);
	o.Set("retval", outcome.retval);
	o.Set("duration", outcome.duration);
	o.Set("data", outcome.data ? Napi::Value(Napi::Buffer<uint8_t>::Copy(
					     env, outcome.data->data(), outcome.data->size())) :
				     env.Null());
	o.Set("ctx", outcome.ctx ? Napi::Value(Napi::Buffer<uint8_t>::Copy(env, outcome.ctx->data(),
									   outcome.ctx->size())) :
				   env.Null());
	return o;
}

Napi::Promise QueueTestRun(Napi::Env env, UniqueFd progFd, TestRunSpec spec)
{
	auto *worker = new TestRunWorker(env, std::move(progFd), std::move(spec));
	Napi::Promise promise = worker->Promise();
	worker->Queue();
	return promise;
}

} // namespace fastpath
