#include "map_info.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <cerrno>

#include "errors.h"

namespace fastpath
{

std::string MapTypeName(uint32_t type)
{
	const char *s = libbpf_bpf_map_type_str(static_cast<enum bpf_map_type>(type));
	return s != nullptr ? s : "unknown(" + std::to_string(type) + ")";
}

bool IsPerCpuMapType(uint32_t type)
{
	switch (type) {
	case BPF_MAP_TYPE_PERCPU_HASH:
	case BPF_MAP_TYPE_PERCPU_ARRAY:
	case BPF_MAP_TYPE_LRU_PERCPU_HASH:
	case BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE:
		return true;
	default:
		return false;
	}
}

int PossibleCpus()
{
	int n = libbpf_num_possible_cpus();
	if (n <= 0)
		ThrowSys(-n, "libbpf_num_possible_cpus", "cannot read the number of possible CPUs");
	return n;
}

MapMeta QueryMapMeta(int fd, const std::string &name, std::optional<std::string> pinPath)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	if (bpf_obj_get_info_by_fd(fd, &info, &len) != 0)
		ThrowSys(errno, "bpf_obj_get_info_by_fd", "cannot read info of map '" + name + "'");
	MapMeta meta;
	meta.name = name.empty() ? info.name : name;
	meta.type = info.type;
	meta.keySize = info.key_size;
	meta.valueSize = info.value_size;
	meta.maxEntries = info.max_entries;
	meta.flags = info.map_flags;
	meta.id = info.id;
	meta.pinPath = std::move(pinPath);
	meta.perCpu = IsPerCpuMapType(info.type);
	meta.valueStride = meta.perCpu ? ((meta.valueSize + 7) / 8 * 8) *
						 static_cast<uint32_t>(PossibleCpus()) :
					 meta.valueSize;
	return meta;
}

Napi::Object MapMetaToJs(Napi::Env env, const MapMeta &meta, int fd)
{
	Napi::Object o = Napi::Object::New(env);
	o.Set("name", meta.name);
	o.Set("type", MapTypeName(meta.type));
	o.Set("keySize", meta.keySize);
	o.Set("valueSize", meta.valueSize);
	o.Set("maxEntries", meta.maxEntries);
	o.Set("flags", meta.flags);
	o.Set("fd", fd);
	o.Set("id", meta.id);
	o.Set("pinPath",
	      meta.pinPath ? Napi::Value(Napi::String::New(env, *meta.pinPath)) : env.Null());
	o.Set("perCpu", meta.perCpu);
	o.Set("valueStride", meta.valueStride);
	return o;
}

} // namespace fastpath
