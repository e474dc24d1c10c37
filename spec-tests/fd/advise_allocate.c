/* fd_advise and fd_allocate: every advice value, the size rules of
 * allocation (it grows a file, never shrinks one, and the new bytes read as
 * zeros), and the errors for bad values, missing rights, read-only
 * descriptors and directories.
 *
 * Errnos follow posix_fadvise(2) and fallocate(2) on Linux: an unknown
 * advice or a zero length is EINVAL, a range past the largest file size is
 * EFBIG. */
#include "spec.h"

static __wasi_fd_t dir;

int main(void) {
  __wasi_fd_t top = test_dir("fs-tests.dir");
  dir = scratch(top, "advise_allocate.cleanup");
  __wasi_fd_t fd;
  MUST(__wasi_path_open(dir, NOFOLLOW, "file", __WASI_OFLAGS_CREAT,
                        __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE |
                            __WASI_RIGHTS_FD_ADVISE |
                            __WASI_RIGHTS_FD_ALLOCATE |
                            __WASI_RIGHTS_FD_FILESTAT_GET |
                            __WASI_RIGHTS_FD_FILESTAT_SET_SIZE |
                            __WASI_RIGHTS_FD_SEEK,
                        0, 0, &fd));

  section("fd_advise");
  MUST(__wasi_fd_filestat_set_size(fd, 100));
  OK(__wasi_fd_advise(fd, 0, 0, __WASI_ADVICE_NORMAL));
  OK(__wasi_fd_advise(fd, 10, 50, __WASI_ADVICE_SEQUENTIAL));
  OK(__wasi_fd_advise(fd, 10, 50, __WASI_ADVICE_RANDOM));
  OK(__wasi_fd_advise(fd, 0, 100, __WASI_ADVICE_WILLNEED));
  OK(__wasi_fd_advise(fd, 0, 100, __WASI_ADVICE_DONTNEED));
  OK(__wasi_fd_advise(fd, 0, 100, __WASI_ADVICE_NOREUSE));
  /* Advice about bytes past the end is still only advice. */
  OK(__wasi_fd_advise(fd, 1000, 1000, __WASI_ADVICE_NORMAL));
  /* Advice never changes the file. */
  EXPECT(fd_size(fd) == 100);
  ERR(__wasi_fd_advise(fd, 0, 0, 6), INVAL);
  ERR(__wasi_fd_advise(fd, 0, 0, 255), INVAL);
  /* A read-only descriptor may advise, if it holds the right. */
  __wasi_fd_t ro;
  MUST(__wasi_path_open(dir, NOFOLLOW, "file", 0,
                        __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_ADVISE, 0, 0,
                        &ro));
  OK(__wasi_fd_advise(ro, 0, 10, __WASI_ADVICE_DONTNEED));
  OK(__wasi_fd_close(ro));
  MUST(__wasi_path_open(dir, NOFOLLOW, "file", 0, __WASI_RIGHTS_FD_READ, 0, 0,
                        &ro));
  ERR(__wasi_fd_advise(ro, 0, 10, __WASI_ADVICE_NORMAL), NOTCAPABLE);
  OK(__wasi_fd_close(ro));
  /* A directory holds no FD_ADVISE. */
  ERR3(__wasi_fd_advise(dir, 0, 0, __WASI_ADVICE_NORMAL), BADF, NOTCAPABLE,
       ISDIR);
  ERR(__wasi_fd_advise(0x7fffffff, 0, 0, __WASI_ADVICE_NORMAL), BADF);

  section("fd_allocate grows and never shrinks");
  MUST(__wasi_fd_filestat_set_size(fd, 0));
  OK(__wasi_fd_allocate(fd, 0, 100));
  EXPECT(fd_size(fd) == 100);
  OK(__wasi_fd_allocate(fd, 10, 10));
  EXPECT(fd_size(fd) == 100);
  OK(__wasi_fd_allocate(fd, 90, 20));
  EXPECT(fd_size(fd) == 110);
  OK(__wasi_fd_allocate(fd, 4096, 1));
  EXPECT(fd_size(fd) == 4097);
  /* The allocated bytes read as zeros, and the position did not move. */
  char buf[64];
  memset(buf, 0x55, sizeof buf);
  __wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf};
  __wasi_size_t n = 0;
  EXPECT(OK(__wasi_fd_read(fd, &iov, 1, &n)) && n == sizeof buf);
  int zeros = 1;
  for (size_t i = 0; i < sizeof buf; i++) zeros &= buf[i] == 0;
  EXPECT(zeros);
  /* A write after allocation keeps the size when it lands inside it. */
  __wasi_ciovec_t w = {(const uint8_t *)"data", 4};
  EXPECT(OK(__wasi_fd_write(fd, &w, 1, &n)) && n == 4);
  EXPECT(fd_size(fd) == 4097);

  section("fd_allocate errors");
  ERR(__wasi_fd_allocate(fd, 0, 0), INVAL);
  ERR(__wasi_fd_allocate(fd, 0x7fffffffffffffffull, 10), FBIG);
  ERR(__wasi_fd_allocate(fd, 0x7ffffffffffffff0ull, 0x20), FBIG);
  /* Offsets that do not fit a signed 64-bit offset are invalid. */
  ERR(__wasi_fd_allocate(fd, 0xffffffffffffffffull, 10), INVAL);
  EXPECT(fd_size(fd) == 4097);
  /* The right is needed. (A descriptor that holds it without FD_WRITE is
   * the subject of size_rights_without_write.) */
  MUST(__wasi_path_open(dir, NOFOLLOW, "file", 0,
                        __WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_FILESTAT_GET,
                        0, 0, &ro));
  ERR(__wasi_fd_allocate(ro, 0, 10000), NOTCAPABLE);
  OK(__wasi_fd_close(ro));
  EXPECT(fd_size(fd) == 4097);
  ERR3(__wasi_fd_allocate(dir, 0, 10), BADF, NOTCAPABLE, ISDIR);
  ERR(__wasi_fd_allocate(0x7fffffff, 0, 10), BADF);
  OK(__wasi_fd_close(fd));
  ERR(__wasi_fd_allocate(fd, 0, 10), BADF);

  drop_scratch(top, "advise_allocate.cleanup", dir);
  return finish();
}
