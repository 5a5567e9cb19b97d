#include "btf_layout.h"

#include <bpf/btf.h>

#include <string>

#include "errors.h"

namespace fastpath
{

namespace
{

constexpr int kMaxDepth = 32;

const char *KindName(const struct btf_type *t)
{
	switch (btf_kind(t)) {
	case BTF_KIND_INT:
		return "int";
	case BTF_KIND_STRUCT:
		return "struct";
	case BTF_KIND_UNION:
		return "union";
	case BTF_KIND_ARRAY:
		return "array";
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		return "enum";
	case BTF_KIND_PTR:
		return "ptr";
	case BTF_KIND_FLOAT:
		return "float";
	default:
		return "unknown";
	}
}

bool IsAlias(const struct btf_type *t)
{
	switch (btf_kind(t)) {
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_CONST:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPE_TAG:
		return true;
	default:
		return false;
	}
}

std::string NameOf(const struct btf *btf, const struct btf_type *t)
{
	const char *s = btf__name_by_offset(btf, t->name_off);
	return s != nullptr ? s : "";
}

Napi::Object Convert(Napi::Env env, const struct btf *btf, uint32_t typeId, int depth)
{
	if (depth > kMaxDepth)
		ThrowSysMsg(ELOOP, "btf__type_by_id", "BTF type nesting deeper than 32 levels");
	// The outermost typedef name is the one the C source used (e.g. __u32); the kind and size
	// come from the resolved type.
	std::string name;
	const struct btf_type *t = btf__type_by_id(btf, typeId);
	while (t != nullptr && IsAlias(t)) {
		if (name.empty() && btf_kind(t) == BTF_KIND_TYPEDEF)
			name = NameOf(btf, t);
		typeId = t->type;
		t = btf__type_by_id(btf, typeId);
	}
	if (t == nullptr)
		ThrowSysMsg(EINVAL, "btf__type_by_id",
			    "BTF type id " + std::to_string(typeId) + " not found");
	if (name.empty())
		name = NameOf(btf, t);

	Napi::Object out = Napi::Object::New(env);
	out.Set("name", name);
	out.Set("kind", KindName(t));
	__s64 size = btf__resolve_size(btf, typeId);
	out.Set("size", Napi::Number::New(env, size < 0 ? 0 : static_cast<double>(size)));

	if (btf_is_composite(t)) {
		const struct btf_member *m = btf_members(t);
		Napi::Array members = Napi::Array::New(env, btf_vlen(t));
		for (uint32_t i = 0; i < btf_vlen(t); i++, m++) {
			uint32_t bitOffset = btf_member_bit_offset(t, i);
			uint32_t bitSize = btf_member_bitfield_size(t, i);
			__s64 msize = btf__resolve_size(btf, m->type);
			Napi::Object member = Napi::Object::New(env);
			member.Set("name", btf__name_by_offset(btf, m->name_off));
			member.Set("offset", bitOffset / 8);
			member.Set("bitOffset", bitOffset);
			member.Set("bitSize", bitSize);
			member.Set(
				"size",
				Napi::Number::New(env, msize < 0 ? 0 : static_cast<double>(msize)));
			member.Set("type", Convert(env, btf, m->type, depth + 1));
			members.Set(i, member);
		}
		out.Set("members", members);
	} else if (btf_is_array(t)) {
		const struct btf_array *arr = btf_array(t);
		out.Set("element", Convert(env, btf, arr->type, depth + 1));
		out.Set("length", arr->nelems);
	}
	return out;
}

} // namespace

Napi::Object BtfTypeToJs(Napi::Env env, const struct btf *btf, uint32_t typeId)
{
	return Convert(env, btf, typeId, 0);
}

} // namespace fastpath
