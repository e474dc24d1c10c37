/* Helpers for the filesystem guests, which are all handed their sandbox as
 * fd 3. Each guest uses only some of them, hence `unused`: the guests build
 * with -Wall -Werror. */
#ifndef CAPWASI_FSUTIL_H
#define CAPWASI_FSUTIL_H
#include <stdint.h>
#include <wasi/api.h>

#include "check.h"

#define SANDBOX 3
#define FOLLOW __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW
#define NOFOLLOW 0

/* Every right a regular file can hold. */
#define FILE_RIGHTS                                                           \
  (__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_SEEK |   \
   __WASI_RIGHTS_FD_TELL | __WASI_RIGHTS_FD_FDSTAT_SET_FLAGS |                \
   __WASI_RIGHTS_FD_SYNC | __WASI_RIGHTS_FD_DATASYNC |                        \
   __WASI_RIGHTS_FD_ADVISE | __WASI_RIGHTS_FD_ALLOCATE |                      \
   __WASI_RIGHTS_FD_FILESTAT_GET | __WASI_RIGHTS_FD_FILESTAT_SET_SIZE |       \
   __WASI_RIGHTS_FD_FILESTAT_SET_TIMES)

/* Creates or truncates `path` and writes exactly `text` to it. */
static __attribute__((unused)) void put(const char *path, const char *text) {
  __wasi_fd_t fd;
  CHECK_ERRNO(__wasi_path_open(SANDBOX, FOLLOW, path,
                               __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC,
                               __WASI_RIGHTS_FD_WRITE, 0, 0, &fd),
              __WASI_ERRNO_SUCCESS);
  __wasi_ciovec_t iov = {(const uint8_t *)text, strlen(text)};
  __wasi_size_t n;
  CHECK_ERRNO(__wasi_fd_write(fd, &iov, 1, &n), __WASI_ERRNO_SUCCESS);
  CHECK(n == strlen(text));
  CHECK_ERRNO(__wasi_fd_close(fd), __WASI_ERRNO_SUCCESS);
}

/* True when `path` holds exactly `text`; false too when it cannot be
 * opened, so that callers can check a name is gone or moved. */
static __attribute__((unused)) int holds(const char *path, const char *text) {
  __wasi_fd_t fd;
  if (__wasi_path_open(SANDBOX, FOLLOW, path, 0, __WASI_RIGHTS_FD_READ, 0, 0,
                       &fd) != 0)
    return 0;
  char buf[64];
  __wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf};
  __wasi_size_t n = 0;
  CHECK_ERRNO(__wasi_fd_read(fd, &iov, 1, &n), __WASI_ERRNO_SUCCESS);
  CHECK_ERRNO(__wasi_fd_close(fd), __WASI_ERRNO_SUCCESS);
  return n == strlen(text) && memcmp(buf, text, n) == 0;
}

static __attribute__((unused)) __wasi_fdstat_t fdstat(__wasi_fd_t fd) {
  __wasi_fdstat_t st;
  CHECK_ERRNO(__wasi_fd_fdstat_get(fd, &st), __WASI_ERRNO_SUCCESS);
  return st;
}

static __attribute__((unused)) __wasi_filestat_t fstat_of(__wasi_fd_t fd) {
  __wasi_filestat_t st;
  CHECK_ERRNO(__wasi_fd_filestat_get(fd, &st), __WASI_ERRNO_SUCCESS);
  return st;
}
#endif
