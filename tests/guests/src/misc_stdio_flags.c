/* Status flags on standard streams that the host shares with its parent.
 * The guest asks for APPEND|NONBLOCK on stdout, NONBLOCK on stdin and
 * APPEND on stderr, and must see them honoured: a read of an empty stdin
 * pipe answers EAGAIN at once, and writes land at the end of the files
 * that stdout and stderr were redirected to. The host checks that its own
 * descriptors' flags never changed. */
#include <stdint.h>
#include <wasi/api.h>

#include "check.h"

#define APPEND __WASI_FDFLAGS_APPEND
#define NONBLOCK __WASI_FDFLAGS_NONBLOCK

static __wasi_fdflags_t flags_of(__wasi_fd_t fd) {
  __wasi_fdstat_t st;
  CHECK_ERRNO(__wasi_fd_fdstat_get(fd, &st), __WASI_ERRNO_SUCCESS);
  return st.fs_flags;
}

static void say(__wasi_fd_t fd, const char *text) {
  __wasi_ciovec_t iov = {(const uint8_t *)text, strlen(text)};
  __wasi_size_t n = 0;
  CHECK_ERRNO(__wasi_fd_write(fd, &iov, 1, &n), __WASI_ERRNO_SUCCESS);
  CHECK(n == strlen(text));
}

int main(void) {
  CHECK(flags_of(0) == 0 && flags_of(1) == 0 && flags_of(2) == 0);
  CHECK_ERRNO(__wasi_fd_fdstat_set_flags(1, APPEND | NONBLOCK),
              __WASI_ERRNO_SUCCESS);
  CHECK_ERRNO(__wasi_fd_fdstat_set_flags(0, NONBLOCK), __WASI_ERRNO_SUCCESS);
  CHECK_ERRNO(__wasi_fd_fdstat_set_flags(2, APPEND), __WASI_ERRNO_SUCCESS);
  CHECK(flags_of(1) == (APPEND | NONBLOCK));
  CHECK(flags_of(0) == NONBLOCK);
  CHECK(flags_of(2) == APPEND);
  /* A stream has no storage for synchronous writes to reach. */
  CHECK_ERRNO(__wasi_fd_fdstat_set_flags(1, __WASI_FDFLAGS_DSYNC),
              __WASI_ERRNO_INVAL);
  CHECK(flags_of(1) == (APPEND | NONBLOCK));

  /* The host holds stdin's pipe open and writes nothing: a non-blocking
   * read must answer at once rather than wait. */
  uint8_t byte;
  __wasi_iovec_t iov = {&byte, 1};
  __wasi_size_t n = 99;
  CHECK_ERRNO(__wasi_fd_read(0, &iov, 1, &n), __WASI_ERRNO_AGAIN);

  /* The host left both files' offsets at 0 after writing into them, so
   * only an append lands after what is there. */
  say(1, "guest stdout\n");
  say(2, "guest stderr\n");
  return 0;
}
