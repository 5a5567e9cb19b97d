// libbpf prints through one global callback; we route its output into a buffer owned by
// the addon call that is running on this thread, so errors can carry it.
#pragma once

#include <string>

namespace fastpath
{

void InstallLibbpfPrint();

class LibbpfLogCapture
{
      public:
	LibbpfLogCapture();
	~LibbpfLogCapture();
	LibbpfLogCapture(const LibbpfLogCapture &) = delete;
	LibbpfLogCapture &operator=(const LibbpfLogCapture &) = delete;

	const std::string &text() const
	{
		return text_;
	}
	// The text captured by the innermost active capture on this thread ('' when none).
	static std::string CurrentText();

      private:
	friend void Append(const std::string &line);
	std::string text_;
	LibbpfLogCapture *outer_;
};

// libbpf prints a rejected program's verifier log between BEGIN/END markers. Splits it
// out of the captured text: returns the log and removes it from *text.
std::string ExtractVerifierLog(std::string *text, std::string *progName);

} // namespace fastpath
