// An owned file descriptor, closed on destruction.
#pragma once

#include <unistd.h>

namespace fastpath
{

class UniqueFd
{
      public:
	UniqueFd() = default;
	explicit UniqueFd(int fd) : fd_(fd)
	{
	}
	~UniqueFd()
	{
		reset();
	}
	UniqueFd(UniqueFd &&other) noexcept : fd_(other.release())
	{
	}
	UniqueFd &operator=(UniqueFd &&other) noexcept
	{
		if (this != &other) {
			reset();
			fd_ = other.release();
		}
		return *this;
	}
	UniqueFd(const UniqueFd &) = delete;
	UniqueFd &operator=(const UniqueFd &) = delete;

	int get() const
	{
		return fd_;
	}
	bool valid() const
	{
		return fd_ >= 0;
	}
	int release()
	{
		int fd = fd_;
		fd_ = -1;
		return fd;
	}
	void reset()
	{
		if (fd_ >= 0)
			close(fd_);
		fd_ = -1;
	}

      private:
	int fd_ = -1;
};

} // namespace fastpath
