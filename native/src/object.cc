#include "object.h"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdint>
#include <utility>
#include <vector>

#include "args.h"
#include "btf_layout.h"
#include "errors.h"
#include "libbpf_log.h"
#include "map.h"
#include "map_info.h"
#include "program.h"
#include "unique_fd.h"

namespace fastpath
{

namespace
{

UniqueFd DupFd(int fd, const std::string &what)
{
	UniqueFd dup(fcntl(fd, F_DUPFD_CLOEXEC, 3));
	if (!dup.valid())
		ThrowSys(errno, "fcntl", "cannot duplicate the fd of " + what);
	return dup;
}

int MakeDirs(const std::string &path)
{
	for (size_t pos = 1; pos <= path.size(); pos++) {
		if (pos != path.size() && path[pos] != '/')
			continue;
		std::string part = path.substr(0, pos);
		if (mkdir(part.c_str(), 0700) != 0 && errno != EEXIST)
			return errno;
	}
	return 0;
}

std::string LastLine(const std::string &text)
{
	size_t end = text.find_last_not_of('\n');
	if (end == std::string::npos)
		return "";
	size_t start = text.rfind('\n', end);
	start = start == std::string::npos ? 0 : start + 1;
	return text.substr(start, end - start + 1);
}

// The first line of text containing needle, or "".
std::string LineWith(const std::string &text, const std::string &needle)
{
	size_t at = text.find(needle);
	if (at == std::string::npos)
		return "";
	size_t start = text.rfind('\n', at);
	start = start == std::string::npos ? 0 : start + 1;
	size_t end = text.find('\n', at);
	return text.substr(start, (end == std::string::npos ? text.size() : end) - start);
}

// The verifier's verdict: the last log line that is not a statistics line.
std::string VerifierVerdict(const std::string &log)
{
	std::vector<std::string> lines;
	size_t pos = 0;
	while (pos < log.size()) {
		size_t nl = log.find('\n', pos);
		if (nl == std::string::npos)
			nl = log.size();
		if (nl > pos)
			lines.push_back(log.substr(pos, nl - pos));
		pos = nl + 1;
	}
	for (auto it = lines.rbegin(); it != lines.rend(); ++it) {
		if (it->rfind("processed ", 0) != 0 && it->rfind("verification time", 0) != 0 &&
		    it->rfind("stack depth", 0) != 0)
			return *it;
	}
	return lines.empty() ? "" : lines.back();
}

// options.maxEntries: { mapName: entries }, read before anything is opened.
std::vector<std::pair<std::string, uint32_t>> MaxEntriesOption(const Napi::Object &options,
							       const std::string &op)
{
	std::vector<std::pair<std::string, uint32_t>> sizes;
	Napi::Value v = options.Get("maxEntries");
	if (v.IsUndefined() || v.IsNull())
		return sizes;
	Napi::Object o = ObjectArg(v, op, "maxEntries");
	Napi::Array names = o.GetPropertyNames();
	for (uint32_t i = 0; i < names.Length(); i++) {
		std::string name = names.Get(i).ToString().Utf8Value();
		int64_t n = IntArg(o.Get(name), op, "maxEntries." + name, 0, 1, UINT32_MAX);
		sizes.emplace_back(name, static_cast<uint32_t>(n));
	}
	return sizes;
}

std::string ProgTypeName(enum bpf_prog_type type)
{
	const char *s = libbpf_bpf_prog_type_str(type);
	return s != nullptr ? s : "unknown(" + std::to_string(type) + ")";
}

} // namespace

Napi::Function BpfObjectWrap::Init(Napi::Env env)
{
	return DefineClass(
		env, "BpfObject",
		{
			InstanceAccessor<&BpfObjectWrap::Path>("path"),
			InstanceAccessor<&BpfObjectWrap::Closed>("closed"),
			InstanceMethod<&BpfObjectWrap::Programs>("programs"),
			InstanceMethod<&BpfObjectWrap::Maps>("maps"),
			InstanceMethod<&BpfObjectWrap::Map>("map"),
			InstanceMethod<&BpfObjectWrap::Program>("program"),
			InstanceMethod<&BpfObjectWrap::SetProgArraySlot>("setProgArraySlot"),
			InstanceMethod<&BpfObjectWrap::BtfLayout>("btfLayout"),
			InstanceMethod<&BpfObjectWrap::Close>("close"),
		});
}

BpfObjectWrap::BpfObjectWrap(const Napi::CallbackInfo &info) : Napi::ObjectWrap<BpfObjectWrap>(info)
{
	Guarded(info.Env(), [&] {
		const std::string op = "BpfObject";
		path_ = StringArg(info[0], op, "path");
		Napi::Object options = info[1].IsUndefined() ? Napi::Object::New(info.Env()) :
							       ObjectArg(info[1], op, "options");
		Load(op, options);
	});
}

void BpfObjectWrap::Load(const std::string &op, const Napi::Object &options)
{
	std::optional<std::string> pinRoot = OptionalString(options, "pinRoot", op);
	int logLevel = static_cast<int>(OptionalInt(options, "verifierLogLevel", op, 1, 1, 2));
	std::vector<std::pair<std::string, uint32_t>> maxEntries = MaxEntriesOption(options, op);

	struct stat st;
	if (stat(path_.c_str(), &st) != 0) {
		int err = errno;
		if (err == ENOENT)
			ThrowSysMsg(err, "stat", "object file '" + path_ + "' not found");
		ThrowSys(err, "stat", "cannot read object file '" + path_ + "'");
	}
	if (pinRoot) {
		int err = MakeDirs(*pinRoot);
		if (err != 0)
			ThrowSys(err, "mkdir", "cannot create pin root " + *pinRoot);
	}

	LibbpfLogCapture capture;
	LIBBPF_OPTS(bpf_object_open_opts, openOpts,
		    .pin_root_path = pinRoot ? pinRoot->c_str() : nullptr);
	struct bpf_object *obj = bpf_object__open_file(path_.c_str(), &openOpts);
	if (obj == nullptr) {
		int err = errno;
		std::string detail = LastLine(capture.text());
		ThrowSys(err, "bpf_object__open_file",
			 "opening '" + path_ + "' failed" +
				 (detail.empty() ? "" : " (" + detail + ")"));
	}
	if (!pinRoot) {
		// libbpf would otherwise pin LIBBPF_PIN_BY_NAME maps under /sys/fs/bpf itself.
		struct bpf_map *map;
		bpf_object__for_each_map(map, obj) bpf_map__set_pin_path(map, nullptr);
	}
	for (const auto &[name, entries] : maxEntries) {
		struct bpf_map *map = bpf_object__find_map_by_name(obj, name.c_str());
		int err = map == nullptr ? -ENOENT : bpf_map__set_max_entries(map, entries);
		if (err != 0) {
			bpf_object__close(obj);
			if (err == -ENOENT)
				ThrowSysMsg(ENOENT, "bpf_map__set_max_entries",
					    "maxEntries: map '" + name + "' not found in " + path_);
			ThrowSys(-err, "bpf_map__set_max_entries",
				 "cannot size map '" + name + "' of " + path_);
		}
	}
	// Level 1 needs nothing: libbpf loads without a log and retries with level 1 on failure,
	// printing the log, which we pick out of the captured text. Level 2 must be asked upfront.
	if (logLevel == 2) {
		struct bpf_program *prog;
		bpf_object__for_each_program(prog, obj) bpf_program__set_log_level(prog, 2);
	}
	if (bpf_object__load(obj) != 0) {
		int err = errno;
		bpf_object__close(obj);
		std::string text = capture.text();
		std::string progName;
		std::string verifierLog = ExtractVerifierLog(&text, &progName);
		FastpathError fe;
		fe.errnum = err;
		fe.code = ErrnoName(err);
		fe.syscall = "bpf_object__load";
		fe.libbpfLog = text;
		fe.verifierLog = verifierLog;
		if (!verifierLog.empty()) {
			fe.message = "loading '" + path_ + "' failed: program '" + progName +
				     "' rejected by the verifier (" + ErrnoText(err) +
				     "): " + VerifierVerdict(verifierLog);
		} else {
			// A pinned map of another shape is refused early; libbpf's last line says
			// only that the object failed.
			std::string detail = LineWith(text, "couldn't reuse pinned map");
			if (detail.empty())
				detail = LastLine(text);
			fe.message = "loading '" + path_ + "' failed: " + ErrnoText(err) +
				     (detail.empty() ? "" : " (" + detail + ")");
		}
		throw fe;
	}
	obj_ = obj;
}

BpfObjectWrap::~BpfObjectWrap()
{
	if (obj_ != nullptr)
		bpf_object__close(obj_);
}

struct bpf_object *BpfObjectWrap::obj(const std::string &op) const
{
	if (obj_ == nullptr)
		ThrowClosed(op, "object '" + path_ + "'");
	return obj_;
}

struct bpf_map *BpfObjectWrap::FindMap(const std::string &name, const std::string &op) const
{
	struct bpf_map *map = bpf_object__find_map_by_name(obj(op), name.c_str());
	if (map == nullptr || bpf_map__fd(map) < 0)
		ThrowSysMsg(ENOENT, op, "map '" + name + "' not found in " + path_);
	return map;
}

struct bpf_program *BpfObjectWrap::FindProgram(const std::string &name, const std::string &op) const
{
	struct bpf_program *prog = bpf_object__find_program_by_name(obj(op), name.c_str());
	if (prog == nullptr || bpf_program__fd(prog) < 0)
		ThrowSysMsg(ENOENT, op, "program '" + name + "' not found in " + path_);
	return prog;
}

Napi::Value BpfObjectWrap::Path(const Napi::CallbackInfo &info)
{
	return Napi::String::New(info.Env(), path_);
}

Napi::Value BpfObjectWrap::Closed(const Napi::CallbackInfo &info)
{
	return Napi::Boolean::New(info.Env(), obj_ == nullptr);
}

Napi::Value BpfObjectWrap::Programs(const Napi::CallbackInfo &info)
{
	return Guarded(info.Env(), [&]() -> Napi::Value {
		struct bpf_object *o = obj("BpfObject.programs");
		Napi::Array out = Napi::Array::New(info.Env());
		uint32_t n = 0;
		struct bpf_program *prog;
		bpf_object__for_each_program(prog, o)
		{
			int fd = bpf_program__fd(prog);
			if (fd < 0)
				continue; // not loaded (autoload off)
			struct bpf_prog_info pinfo = {};
			__u32 len = sizeof(pinfo);
			if (bpf_obj_get_info_by_fd(fd, &pinfo, &len) != 0)
				ThrowSys(errno, "bpf_obj_get_info_by_fd",
					 std::string("cannot read info of program '") +
						 bpf_program__name(prog) + "'");
			Napi::Object p = Napi::Object::New(info.Env());
			p.Set("name", bpf_program__name(prog));
			p.Set("section", bpf_program__section_name(prog));
			p.Set("type", ProgTypeName(bpf_program__type(prog)));
			p.Set("fd", fd);
			p.Set("id", pinfo.id);
			out.Set(n++, p);
		}
		return out;
	});
}

Napi::Value BpfObjectWrap::Maps(const Napi::CallbackInfo &info)
{
	return Guarded(info.Env(), [&]() -> Napi::Value {
		struct bpf_object *o = obj("BpfObject.maps");
		Napi::Array out = Napi::Array::New(info.Env());
		uint32_t n = 0;
		struct bpf_map *map;
		bpf_object__for_each_map(map, o)
		{
			int fd = bpf_map__fd(map);
			if (fd < 0)
				continue;
			const char *pin = bpf_map__pin_path(map);
			std::optional<std::string> pinPath;
			if (pin != nullptr && bpf_map__is_pinned(map))
				pinPath = pin;
			out.Set(n++,
				MapMetaToJs(info.Env(),
					    QueryMapMeta(fd, bpf_map__name(map), pinPath), fd));
		}
		return out;
	});
}

Napi::Value BpfObjectWrap::Map(const Napi::CallbackInfo &info)
{
	return Guarded(info.Env(), [&]() -> Napi::Value {
		const std::string op = "BpfObject.map";
		std::string name = StringArg(info[0], op, "name");
		struct bpf_map *map = FindMap(name, op);
		const char *pin = bpf_map__pin_path(map);
		std::optional<std::string> pinPath;
		if (pin != nullptr && bpf_map__is_pinned(map))
			pinPath = pin;
		UniqueFd fd = DupFd(bpf_map__fd(map), "map '" + name + "'");
		MapMeta meta = QueryMapMeta(fd.get(), name, pinPath);
		return BpfMapWrap::Create(info.Env(), std::move(fd), std::move(meta));
	});
}

Napi::Value BpfObjectWrap::Program(const Napi::CallbackInfo &info)
{
	return Guarded(info.Env(), [&]() -> Napi::Value {
		const std::string op = "BpfObject.program";
		std::string name = StringArg(info[0], op, "name");
		struct bpf_program *prog = FindProgram(name, op);
		UniqueFd fd = DupFd(bpf_program__fd(prog), "program '" + name + "'");
		return BpfProgramWrap::Create(info.Env(), std::move(fd), name,
					      ProgTypeName(bpf_program__type(prog)));
	});
}

Napi::Value BpfObjectWrap::SetProgArraySlot(const Napi::CallbackInfo &info)
{
	return Guarded(info.Env(), [&]() -> Napi::Value {
		const std::string op = "bpf_map_update_elem";
		std::string mapName = StringArg(info[0], "BpfObject.setProgArraySlot", "mapName");
		if (info[1].IsUndefined())
			ThrowArg(op, "BpfObject.setProgArraySlot: index is required");
		uint32_t index = static_cast<uint32_t>(
			IntArg(info[1], "BpfObject.setProgArraySlot", "index", 0, 0, UINT32_MAX));
		std::string progName = StringArg(info[2], "BpfObject.setProgArraySlot", "progName");
		struct bpf_map *map = FindMap(mapName, op);
		struct bpf_program *prog = FindProgram(progName, op);
		if (bpf_map__type(map) != BPF_MAP_TYPE_PROG_ARRAY)
			ThrowSysMsg(EINVAL, op,
				    "map '" + mapName + "' is a " +
					    MapTypeName(bpf_map__type(map)) +
					    " map, not a prog_array");
		if (index >= bpf_map__max_entries(map))
			ThrowSysMsg(E2BIG, op,
				    "slot " + std::to_string(index) + " is out of range: map '" +
					    mapName + "' has " +
					    std::to_string(bpf_map__max_entries(map)) + " slots");
		int progFd = bpf_program__fd(prog);
		if (bpf_map_update_elem(bpf_map__fd(map), &index, &progFd, BPF_ANY) != 0)
			ThrowSys(errno, op,
				 "putting program '" + progName + "' in slot " +
					 std::to_string(index) + " of map '" + mapName +
					 "' failed");
		return info.Env().Undefined();
	});
}

Napi::Value BpfObjectWrap::BtfLayout(const Napi::CallbackInfo &info)
{
	return Guarded(info.Env(), [&]() -> Napi::Value {
		const std::string op = "BpfObject.btfLayout";
		std::string name = StringArg(info[0], op, "mapName");
		struct bpf_map *map = FindMap(name, op);
		struct btf *btf = bpf_object__btf(obj(op));
		uint32_t keyId = bpf_map__btf_key_type_id(map);
		uint32_t valueId = bpf_map__btf_value_type_id(map);
		if (btf == nullptr || keyId == 0 || valueId == 0)
			ThrowSysMsg(ENOENT, op,
				    "map '" + name + "' in " + path_ +
					    " has no BTF key/value types");
		Napi::Object out = Napi::Object::New(info.Env());
		out.Set("key", BtfTypeToJs(info.Env(), btf, keyId));
		out.Set("value", BtfTypeToJs(info.Env(), btf, valueId));
		return out;
	});
}

Napi::Value BpfObjectWrap::Close(const Napi::CallbackInfo &info)
{
	if (obj_ != nullptr)
		bpf_object__close(obj_);
	obj_ = nullptr;
	return info.Env().Undefined();
}

} // namespace fastpath
