#include "map.h"

#include <bpf/bpf.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <unordered_set>
#include <vector>

#include "addon.h"
#include "args.h"
#include "errors.h"
#include "libbpf_log.h"

namespace fastpath
{

namespace
{

struct PendingMap {
	UniqueFd fd;
	MapMeta meta;
};

Napi::Buffer<uint8_t> CopyOut(Napi::Env env, const uint8_t *data, size_t len)
{
	return Napi::Buffer<uint8_t>::Copy(env, data, len);
}

} // namespace

Napi::Function BpfMapWrap::Init(Napi::Env env)
{
	return DefineClass(env, "BpfMap",
			   {
				   StaticMethod<&BpfMapWrap::OpenPinned>("openPinned"),
				   InstanceAccessor<&BpfMapWrap::Info>("info"),
				   InstanceMethod<&BpfMapWrap::Lookup>("lookup"),
				   InstanceMethod<&BpfMapWrap::LookupPerCpu>("lookupPerCpu"),
				   InstanceMethod<&BpfMapWrap::Update>("update"),
				   InstanceMethod<&BpfMapWrap::UpdatePerCpu>("updatePerCpu"),
				   InstanceMethod<&BpfMapWrap::Delete>("delete"),
				   InstanceMethod<&BpfMapWrap::NextKey>("nextKey"),
				   InstanceMethod<&BpfMapWrap::Keys>("keys"),
				   InstanceMethod<&BpfMapWrap::BatchLookup>("batchLookup"),
				   InstanceMethod<&BpfMapWrap::BatchUpdate>("batchUpdate"),
				   InstanceMethod<&BpfMapWrap::BatchDelete>("batchDelete"),
				   InstanceMethod<&BpfMapWrap::Pin>("pin"),
				   InstanceMethod<&BpfMapWrap::Unpin>("unpin"),
				   InstanceMethod<&BpfMapWrap::Close>("close"),
			   });
}

Napi::Object BpfMapWrap::Create(Napi::Env env, UniqueFd fd, MapMeta meta)
{
	PendingMap pending{ std::move(fd), std::move(meta) };
	return Data(env).mapCtor.New({ Napi::External<PendingMap>::New(env, &pending) });
}

BpfMapWrap::BpfMapWrap(const Napi::CallbackInfo &info) : Napi::ObjectWrap<BpfMapWrap>(info)
{
	Guarded(info.Env(), [&] {
		if (info.Length() != 1 || !info[0].IsExternal())
			ThrowArg("BpfMap", "BpfMap cannot be constructed directly: use "
					   "BpfObject.map() or BpfMap.openPinned()");
		PendingMap *pending = info[0].As<Napi::External<PendingMap>>().Data();
		fd_ = std::move(pending->fd);
		meta_ = std::move(pending->meta);
	});
}

int BpfMapWrap::fd(const std::string &op) const
{
	if (!fd_.valid())
		ThrowClosed(op, label());
	return fd_.get();
}

void BpfMapWrap::CheckKey(size_t len, const std::string &op) const
{
	if (len != meta_.keySize)
		ThrowSysMsg(EINVAL, op,
			    "key is " + std::to_string(len) + " bytes, " + label() + " wants " +
				    std::to_string(meta_.keySize));
}

void BpfMapWrap::CheckValue(size_t len, const std::string &op) const
{
	if (len != meta_.valueSize)
		ThrowSysMsg(EINVAL, op,
			    "value is " + std::to_string(len) + " bytes, " + label() + " wants " +
				    std::to_string(meta_.valueSize));
}

void BpfMapWrap::CheckNotPerCpu(const std::string &op, const char *alternative) const
{
	if (meta_.perCpu)
		ThrowSysMsg(EINVAL, op, label() + " is per-CPU: use " + alternative);
}

void BpfMapWrap::CheckPerCpu(const std::string &op, const char *alternative) const
{
	if (!meta_.perCpu)
		ThrowSysMsg(EINVAL, op, label() + " is not per-CPU: use " + alternative);
}

Napi::Value BpfMapWrap::OpenPinned(const Napi::CallbackInfo &info)
{
	return Guarded(info.Env(), [&]() -> Napi::Value {
		std::string path = StringArg(info[0], "BpfMap.openPinned", "path");
		LibbpfLogCapture capture;
		UniqueFd fd(bpf_obj_get(path.c_str()));
		if (!fd.valid()) {
			int err = errno;
			if (err == ENOENT)
				ThrowSysMsg(err, "bpf_obj_get", "no pinned map at " + path);
			ThrowSys(err, "bpf_obj_get", "cannot open pinned map " + path);
		}
		char link[64] = {};
		std::string self = "/proc/self/fd/" + std::to_string(fd.get());
		if (readlink(self.c_str(), link, sizeof(link) - 1) < 0 ||
		    std::string(link) != "anon_inode:bpf-map")
			ThrowSysMsg(EINVAL, "bpf_obj_get", path + " is not a pinned map");
		MapMeta meta = QueryMapMeta(fd.get(), "", path);
		return Create(info.Env(), std::move(fd), std::move(meta));
	});
}

Napi::Value BpfMapWrap::Info(const Napi::CallbackInfo &info)
{
	return MapMetaToJs(info.Env(), meta_, fd_.valid() ? fd_.get() : -1);
}

Napi::Value BpfMapWrap::Lookup(const Napi::CallbackInfo &info)
{
	return Guarded(info.Env(), [&]() -> Napi::Value {
		const std::string op = "bpf_map_lookup_elem";
		int mapFd = fd(op);
		auto key = BufferArg(info[0], "BpfMap.lookup", "key");
		uint64_t flags = static_cast<uint64_t>(
			IntArg(info[1], "BpfMap.lookup", "flags", 0, 0, UINT32_MAX));
		CheckNotPerCpu(op, "lookupPerCpu()");
		CheckKey(key.Length(), op);
		std::vector<uint8_t> value(std::max<uint32_t>(meta_.valueSize, 1));
		if (bpf_map_lookup_elem_flags(mapFd, key.Data(), value.data(), flags) != 0) {
			if (errno == ENOENT)
				return info.Env().Null();
			ThrowSys(errno, op, "lookup in " + label() + " failed");
		}
		return CopyOut(info.Env(), value.data(), meta_.valueSize);
	});
}

Napi::Value BpfMapWrap::LookupPerCpu(const Napi::CallbackInfo &info)
{
	return Guarded(info.Env(), [&]() -> Napi::Value {
		const std::string op = "bpf_map_lookup_elem";
		int mapFd = fd(op);
		auto key = BufferArg(info[0], "BpfMap.lookupPerCpu", "key");
		CheckPerCpu(op, "lookup()");
		CheckKey(key.Length(), op);
		std::vector<uint8_t> values(meta_.valueStride);
		if (bpf_map_lookup_elem(mapFd, key.Data(), values.data()) != 0) {
			if (errno == ENOENT)
				return info.Env().Null();
			ThrowSys(errno, op, "lookup in " + label() + " failed");
		}
		int cpus = PossibleCpus();
		size_t slot = meta_.valueStride / cpus;
		Napi::Array out = Napi::Array::New(info.Env(), cpus);
		for (int cpu = 0; cpu < cpus; cpu++)
			out.Set(cpu,
				CopyOut(info.Env(), values.data() + cpu * slot, meta_.valueSize));
		return out;
	});
}

Napi::Value BpfMapWrap::Update(const Napi::CallbackInfo &info)
{
	return Guarded(info.Env(), [&]() -> Napi::Value {
		const std::string op = "bpf_map_update_elem";
		int mapFd = fd(op);
		auto key = BufferArg(info[0], "BpfMap.update", "key");
		auto value = BufferArg(info[1], "BpfMap.update", "value");
		uint64_t flags = static_cast<uint64_t>(
			IntArg(info[2], "BpfMap.update", "flags", 0, 0, UINT32_MAX));
		CheckNotPerCpu(op, "updatePerCpu()");
		CheckKey(key.Length(), op);
		CheckValue(value.Length(), op);
		if (bpf_map_update_elem(mapFd, key.Data(), value.Data(), flags) != 0)
			ThrowSys(errno, op, "update of " + label() + " failed");
		return info.Env().Undefined();
	});
}

Napi::Value BpfMapWrap::UpdatePerCpu(const Napi::CallbackInfo &info)
{
	return Guarded(info.Env(), [&]() -> Napi::Value {
		const std::string op = "bpf_map_update_elem";
		int mapFd = fd(op);
		auto key = BufferArg(info[0], "BpfMap.updatePerCpu", "key");
		if (!info[1].IsArray())
			ThrowArg("BpfMap.updatePerCpu",
				 "BpfMap.updatePerCpu: values must be an array of Buffers");
		Napi::Array values = info[1].As<Napi::Array>();
		uint64_t flags = static_cast<uint64_t>(
			IntArg(info[2], "BpfMap.updatePerCpu", "flags", 0, 0, UINT32_MAX));
		CheckPerCpu(op, "update()");
		CheckKey(key.Length(), op);
		int cpus = PossibleCpus();
		if (values.Length() != static_cast<uint32_t>(cpus))
			ThrowSysMsg(EINVAL, op,
				    "values has " + std::to_string(values.Length()) + " entries, " +
					    label() + " wants one per possible CPU (" +
					    std::to_string(cpus) + ")");
		size_t slot = meta_.valueStride / cpus;
		std::vector<uint8_t> flat(meta_.valueStride, 0);
		for (int cpu = 0; cpu < cpus; cpu++) {
			auto v = BufferArg(values.Get(cpu), "BpfMap.updatePerCpu",
					   "values[" + std::to_string(cpu) + "]");
			if (v.Length() != meta_.valueSize)
				ThrowSysMsg(EINVAL, op,
					    "values[" + std::to_string(cpu) + "] is " +
						    std::to_string(v.Length()) + " bytes, " +
						    label() + " wants " +
						    std::to_string(meta_.valueSize));
			memcpy(flat.data() + cpu * slot, v.Data(), v.Length());
		}
		if (bpf_map_update_elem(mapFd, key.Data(), flat.data(), flags) != 0)
			ThrowSys(errno, op, "update of " + label() + " failed");
		return info.Env().Undefined();
	});
}

Napi::Value BpfMapWrap::Delete(const Napi::CallbackInfo &info)
{
	return Guarded(info.Env(), [&]() -> Napi::Value {
		const std::string op = "bpf_map_delete_elem";
		int mapFd = fd(op);
		auto key = BufferArg(info[0], "BpfMap.delete", "key");
		CheckKey(key.Length(), op);
		if (bpf_map_delete_elem(mapFd, key.Data()) != 0) {
			if (errno == ENOENT)
				return Napi::Boolean::New(info.Env(), false);
			ThrowSys(errno, op, "delete from " + label() + " failed");
		}
		return Napi::Boolean::New(info.Env(), true);
	});
}

Napi::Value BpfMapWrap::NextKey(const Napi::CallbackInfo &info)
{
	return Guarded(info.Env(), [&]() -> Napi::Value {
		const std::string op = "bpf_map_get_next_key";
		int mapFd = fd(op);
		const void *prev = nullptr;
		if (!info[0].IsNull() && !info[0].IsUndefined()) {
			auto key = BufferArg(info[0], "BpfMap.nextKey", "key");
			CheckKey(key.Length(), op);
			prev = key.Data();
		}
		std::vector<uint8_t> next(std::max<uint32_t>(meta_.keySize, 1));
		if (bpf_map_get_next_key(mapFd, prev, next.data()) != 0) {
			if (errno == ENOENT)
				return info.Env().Null();
			ThrowSys(errno, op, "iterating " + label() + " failed");
		}
		return CopyOut(info.Env(), next.data(), meta_.keySize);
	});
}

Napi::Value BpfMapWrap::Keys(const Napi::CallbackInfo &info)
{
	return Guarded(info.Env(), [&]() -> Napi::Value {
		const std::string op = "bpf_map_get_next_key";
		int mapFd = fd(op);
		std::vector<uint8_t> cur(std::max<uint32_t>(meta_.keySize, 1)), next(cur.size());
		Napi::Array out = Napi::Array::New(info.Env());
		// When the key we stand on is deleted meanwhile (the datapath ages entries), the
		// kernel restarts from the first key: skip keys already seen and bound the walk.
		std::unordered_set<std::string> seen;
		const uint64_t maxSteps = 4ull * meta_.maxEntries + 1024;
		const void *prev = nullptr;
		uint32_t n = 0;
		for (uint64_t step = 0;; step++) {
			if (bpf_map_get_next_key(mapFd, prev, next.data()) != 0)
				break;
			if (step >= maxSteps)
				ThrowSysMsg(EAGAIN, op,
					    "iterating " + label() +
						    " did not finish: entries change faster than "
						    "they can be walked");
			std::string k(reinterpret_cast<const char *>(next.data()), meta_.keySize);
			if (seen.insert(k).second)
				out.Set(n++, CopyOut(info.Env(), next.data(), meta_.keySize));
			std::swap(cur, next);
			prev = cur.data();
		}
		if (errno != ENOENT)
			ThrowSys(errno, op, "iterating " + label() + " failed");
		return out;
	});
}

Napi::Value BpfMapWrap::BatchLookup(const Napi::CallbackInfo &info)
{
	return Guarded(info.Env(), [&]() -> Napi::Value {
		const std::string op = "bpf_map_lookup_batch";
		int mapFd = fd(op);
		uint32_t chunk = static_cast<uint32_t>(
			IntArg(info[0], "BpfMap.batchLookup", "chunk", 4096, 1, 1 << 20));
		std::vector<uint8_t> keys, values;
		// The batch token is opaque to us; the kernel writes at most a key's worth (u32 for
		// hashes).
		std::vector<uint8_t> inBatch(std::max<uint32_t>(meta_.keySize, 8)),
			outBatch(inBatch.size());
		bool first = true;
		size_t count = 0;
		for (;;) {
			keys.resize((count + chunk) * meta_.keySize);
			values.resize((count + chunk) * meta_.valueStride);
			__u32 n = chunk;
			LIBBPF_OPTS(bpf_map_batch_opts, opts);
			int rc = bpf_map_lookup_batch(
				mapFd, first ? nullptr : inBatch.data(), outBatch.data(),
				keys.data() + count * meta_.keySize,
				values.data() + count * meta_.valueStride, &n, &opts);
			int err = rc != 0 ? errno : 0;
			if (rc != 0 && err == ENOSPC && n == 0) {
				chunk *= 2; // one hash bucket holds more entries than fit: retry
					    // with more room
				continue;
			}
			if (rc != 0 && err != ENOENT)
				ThrowSys(err, op, "batch lookup in " + label() + " failed");
			count += n;
			if (rc != 0)
				break; // ENOENT: no more entries
			std::swap(inBatch, outBatch);
			first = false;
		}
		Napi::Object out = Napi::Object::New(info.Env());
		out.Set("keys", CopyOut(info.Env(), keys.data(), count * meta_.keySize));
		out.Set("values", CopyOut(info.Env(), values.data(), count * meta_.valueStride));
		out.Set("count", Napi::Number::New(info.Env(), static_cast<double>(count)));
		return out;
	});
}

Napi::Value BpfMapWrap::BatchUpdate(const Napi::CallbackInfo &info)
{
	return Guarded(info.Env(), [&]() -> Napi::Value {
		const std::string op = "bpf_map_update_batch";
		int mapFd = fd(op);
		auto keys = BufferArg(info[0], "BpfMap.batchUpdate", "keys");
		auto values = BufferArg(info[1], "BpfMap.batchUpdate", "values");
		uint64_t flags = static_cast<uint64_t>(
			IntArg(info[2], "BpfMap.batchUpdate", "flags", 0, 0, UINT32_MAX));
		if (meta_.keySize == 0 || keys.Length() % meta_.keySize != 0)
			ThrowSysMsg(EINVAL, op,
				    "keys is " + std::to_string(keys.Length()) +
					    " bytes, not a multiple of the key size " +
					    std::to_string(meta_.keySize) + " of " + label());
		size_t n = keys.Length() / meta_.keySize;
		if (values.Length() != n * meta_.valueStride)
			ThrowSysMsg(EINVAL, op,
				    "values is " + std::to_string(values.Length()) + " bytes, " +
					    label() + " wants " + std::to_string(n) + " x " +
					    std::to_string(meta_.valueStride) + " = " +
					    std::to_string(n * meta_.valueStride));
		if (n == 0)
			return Napi::Number::New(info.Env(), 0);
		__u32 count = static_cast<__u32>(n);
		LIBBPF_OPTS(bpf_map_batch_opts, opts, .elem_flags = flags);
		if (bpf_map_update_batch(mapFd, keys.Data(), values.Data(), &count, &opts) != 0)
			ThrowSys(errno, op,
				 "batch update of " + label() + " failed" +
					 (count < n ? " after " + std::to_string(count) + " of " +
							      std::to_string(n) + " entries" :
						      "") +
					 ((flags & ~static_cast<uint64_t>(BPF_F_LOCK)) != 0 ?
						  " (batch updates accept only BPF_F_LOCK as "
						  "flags)" :
						  ""));
		return Napi::Number::New(info.Env(), count);
	});
}

Napi::Value BpfMapWrap::BatchDelete(const Napi::CallbackInfo &info)
{
	return Guarded(info.Env(), [&]() -> Napi::Value {
		const std::string op = "bpf_map_delete_batch";
		int mapFd = fd(op);
		auto keys = BufferArg(info[0], "BpfMap.batchDelete", "keys");
		if (meta_.keySize == 0 || keys.Length() % meta_.keySize != 0)
			ThrowSysMsg(EINVAL, op,
				    "keys is " + std::to_string(keys.Length()) +
					    " bytes, not a multiple of the key size " +
					    std::to_string(meta_.keySize) + " of " + label());
		size_t n = keys.Length() / meta_.keySize;
		size_t done = 0, deleted = 0;
		while (done < n) {
			__u32 count = static_cast<__u32>(n - done);
			LIBBPF_OPTS(bpf_map_batch_opts, opts);
			int rc = bpf_map_delete_batch(mapFd, keys.Data() + done * meta_.keySize,
						      &count, &opts);
			int err = rc != 0 ? errno : 0;
			deleted += count;
			done += count;
			if (rc == 0)
				break;
			if (err != ENOENT)
				ThrowSys(err, op,
					 "batch delete from " + label() + " failed after " +
						 std::to_string(deleted) + " entries");
			done += 1; // that key was absent: skip it
		}
		return Napi::Number::New(info.Env(), static_cast<double>(deleted));
	});
}

Napi::Value BpfMapWrap::Pin(const Napi::CallbackInfo &info)
{
	return Guarded(info.Env(), [&]() -> Napi::Value {
		int mapFd = fd("bpf_obj_pin");
		std::string path = StringArg(info[0], "BpfMap.pin", "path");
		if (bpf_obj_pin(mapFd, path.c_str()) != 0)
			ThrowSys(errno, "bpf_obj_pin",
				 "pinning " + label() + " at " + path + " failed");
		return info.Env().Undefined();
	});
}

Napi::Value BpfMapWrap::Unpin(const Napi::CallbackInfo &info)
{
	return Guarded(info.Env(), [&]() -> Napi::Value {
		fd("unlink");
		std::string path = StringArg(info[0], "BpfMap.unpin", "path");
		if (unlink(path.c_str()) != 0)
			ThrowSys(errno, "unlink",
				 "removing the pin " + path + " of " + label() + " failed");
		return info.Env().Undefined();
	});
}

Napi::Value BpfMapWrap::Close(const Napi::CallbackInfo &info)
{
	fd_.reset();
	return info.Env().Undefined();
}

} // namespace fastpath
