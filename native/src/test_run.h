// BPF_PROG_TEST_RUN: the options parsed off the JS thread's Buffers, the run itself (safe on
// any thread) and the promise-returning worker.
#pragma once

#include <napi.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "unique_fd.h"

namespace fastpath
{

struct TestRunSpec {
	std::string progName;
	std::optional<std::vector<uint8_t>> data;
	uint32_t dataSizeOut = 0;
	std::optional<std::vector<uint8_t>> ctx;
	uint32_t ctxSizeOut = 0;
	int repeat = 1;
	uint32_t flags = 0;
	uint32_t batchSize = 0;
	uint32_t cpu = 0;
	std::optional<int> pinCpu;
	std::optional<std::string> netns;
};

struct TestRunOutcome {
	uint32_t retval = 0;
	uint32_t duration = 0;
	std::optional<std::vector<uint8_t>> data;
	std::optional<std::vector<uint8_t>> ctx;
};

TestRunSpec ParseTestRunOptions(const Napi::Value &options, const std::string &op,
				bool allowPinCpu);
TestRunOutcome RunTest(int progFd, const TestRunSpec &spec);
Napi::Object TestRunOutcomeToJs(Napi::Env env, const TestRunOutcome &outcome);
// Runs on the libuv pool with its own fd, so closing the program meanwhile is harmless.
Napi::Promise QueueTestRun(Napi::Env env, UniqueFd progFd, TestRunSpec spec);

} // namespace fastpath
