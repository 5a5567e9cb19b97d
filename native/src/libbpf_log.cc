#include "libbpf_log.h"

#include <bpf/libbpf.h>

#include <cstdarg>
#include <cstdio>
#include <vector>

namespace fastpath
{

static thread_local LibbpfLogCapture *current = nullptr;

void Append(const std::string &line)
{
	if (current != nullptr)
		current->text_ += line;
}

static int PrintToCapture(enum libbpf_print_level level, const char *format, va_list args)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	va_list copy;
	va_copy(copy, args);
	int len = vsnprintf(nullptr, 0, format, copy);
	va_end(copy);
	if (len <= 0)
		return 0;
	std::vector<char> buf(static_cast<size_t>(len) + 1);
	vsnprintf(buf.data(), buf.size(), format, args);
	std::string line(buf.data(), static_cast<size_t>(len));
	if (current != nullptr) {
		Append(line);
	} else if (level == LIBBPF_WARN) {
		fputs(line.c_str(), stderr); // nobody to hand it to: keep warnings visible
	}
	return len;
}

void InstallLibbpfPrint()
{
	libbpf_set_print(PrintToCapture);
}

LibbpfLogCapture::LibbpfLogCapture() : outer_(current)
{
	current = this;
}

LibbpfLogCapture::~LibbpfLogCapture()
{
	if (outer_ != nullptr)
		outer_->text_ += text_;
	current = outer_;
}

std::string LibbpfLogCapture::CurrentText()
{
	return current != nullptr ? current->text_ : "";
}

std::string ExtractVerifierLog(std::string *text, std::string *progName)
{
	static const std::string kBegin = ": -- BEGIN PROG LOAD LOG --\n";
	static const std::string kEnd = "-- END PROG LOAD LOG --\n";
	size_t begin = text->find(kBegin);
	if (begin == std::string::npos)
		return "";
	size_t end = text->find(kEnd, begin);
	if (end == std::string::npos)
		return "";
	size_t lineStart = text->rfind('\n', begin);
	lineStart = lineStart == std::string::npos ? 0 : lineStart + 1;
	// the line reads "libbpf: prog 'NAME': -- BEGIN ..."
	std::string head = text->substr(lineStart, begin - lineStart);
	size_t q1 = head.find('\'');
	size_t q2 = head.rfind('\'');
	if (q1 != std::string::npos && q2 > q1)
		*progName = head.substr(q1 + 1, q2 - q1 - 1);
	std::string log = text->substr(begin + kBegin.size(), end - begin - kBegin.size());
	text->replace(lineStart, end + kEnd.size() - lineStart, "");
	return log;
}

} // namespace fastpath
