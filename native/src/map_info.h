// What the kernel says about a map fd, and its JS form (MapInfo).
#pragma once

#include <napi.h>

#include <cstdint>
#include <optional>
#include <string>

namespace fastpath
{

struct MapMeta {
	std::string name;
	uint32_t type = 0;
	uint32_t keySize = 0;
	uint32_t valueSize = 0;
	uint32_t maxEntries = 0;
	uint32_t flags = 0;
	uint32_t id = 0;
	std::optional<std::string> pinPath;
	bool perCpu = false;
	uint32_t valueStride = 0;
};

// name: the full (untruncated) name when known, else the kernel's.
MapMeta QueryMapMeta(int fd, const std::string &name, std::optional<std::string> pinPath);
std::string MapTypeName(uint32_t type);
bool IsPerCpuMapType(uint32_t type);
int PossibleCpus();
Napi::Object MapMetaToJs(Napi::Env env, const MapMeta &meta, int fd);

} // namespace fastpath
