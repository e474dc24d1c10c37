/* fd_fdstat_set_flags and the flags fd_fdstat_get reports: APPEND set at
 * open and afterwards, what it does to writes, seeks and pwrite, turning it
 * off again, NONBLOCK and the sync flags, and the errors.
 *
 * pwrite on an APPEND descriptor: POSIX says it writes at the offset given;
 * Linux documents (pwrite(2), BUGS) that it appends regardless. This follows
 * Linux, and in both cases the descriptor's position does not move. */
#include "spec.h"

static __wasi_fd_t dir;

static __wasi_fdflags_t flags_of(__wasi_fd_t fd) {
  __wasi_fdstat_t st;
  if (__wasi_fd_fdstat_get(fd, &st)) return 0xffff;
  return st.fs_flags;
}

static __wasi_errno_t write_str(__wasi_fd_t fd, const char *s) {
  __wasi_ciovec_t iov = {(const uint8_t *)s, strlen(s)};
  __wasi_size_t n = 0;
  __wasi_errno_t e = __wasi_fd_write(fd, &iov, 1, &n);
  return e ? e : n == strlen(s) ? 0 : __WASI_ERRNO_IO;
}

static __wasi_errno_t pwrite_str(__wasi_fd_t fd, const char *s,
                                 __wasi_filesize_t at) {
  __wasi_ciovec_t iov = {(const uint8_t *)s, strlen(s)};
  __wasi_size_t n = 0;
  __wasi_errno_t e = __wasi_fd_pwrite(fd, &iov, 1, at, &n);
  return e ? e : n == strlen(s) ? 0 : __WASI_ERRNO_IO;
}

#define RIGHTS                                                                \
  (__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_SEEK |   \
   __WASI_RIGHTS_FD_TELL | __WASI_RIGHTS_FD_FDSTAT_SET_FLAGS |                \
   __WASI_RIGHTS_FD_FILESTAT_GET)

int main(void) {
  __wasi_fd_t top = test_dir("fs-tests.dir");
  dir = scratch(top, "fdflags.cleanup");
  __wasi_fd_t fd;

  section("APPEND from path_open");
  MUST(__wasi_path_open(dir, NOFOLLOW, "log", __WASI_OFLAGS_CREAT, RIGHTS, 0,
                        __WASI_FDFLAGS_APPEND, &fd));
  EXPECT(flags_of(fd) == __WASI_FDFLAGS_APPEND);
  OK(write_str(fd, "one"));
  EXPECT(fd_seek_to(fd, 0, __WASI_WHENCE_SET) == 0);
  /* Every write lands at the end, wherever the position was. */
  OK(write_str(fd, "two"));
  EXPECT(fd_position(fd) == 6);
  EXPECT(holds(dir, "log", "onetwo"));
  /* Reads still use the position. */
  EXPECT(fd_seek_to(fd, 1, __WASI_WHENCE_SET) == 1);
  char buf[16];
  __wasi_iovec_t iov = {(uint8_t *)buf, 2};
  __wasi_size_t n = 0;
  EXPECT(OK(__wasi_fd_read(fd, &iov, 1, &n)) && n == 2 &&
         memcmp(buf, "ne", 2) == 0);

  section("pwrite on an APPEND descriptor");
  EXPECT(fd_seek_to(fd, 2, __WASI_WHENCE_SET) == 2);
  OK(pwrite_str(fd, "XY", 0));
  /* Linux appends; the position stays where it was. */
  EXPECT(holds(dir, "log", "onetwoXY"));
  EXPECT(fd_position(fd) == 2);

  section("turning APPEND off and on");
  OK(__wasi_fd_fdstat_set_flags(fd, 0));
  EXPECT(flags_of(fd) == 0);
  EXPECT(fd_seek_to(fd, 0, __WASI_WHENCE_SET) == 0);
  OK(write_str(fd, "ON"));
  EXPECT(holds(dir, "log", "ONetwoXY"));
  EXPECT(fd_position(fd) == 2);
  /* Without APPEND, pwrite writes where it is told. */
  OK(pwrite_str(fd, "E", 2));
  EXPECT(holds(dir, "log", "ONEtwoXY") && fd_position(fd) == 2);
  OK(__wasi_fd_fdstat_set_flags(fd, __WASI_FDFLAGS_APPEND));
  EXPECT(flags_of(fd) == __WASI_FDFLAGS_APPEND);
  OK(write_str(fd, "!"));
  EXPECT(holds(dir, "log", "ONEtwoXY!") && fd_position(fd) == 9);
  OK(__wasi_fd_close(fd));
  /* APPEND belongs to the descriptor, not the file. */
  MUST(__wasi_path_open(dir, NOFOLLOW, "log", 0, RIGHTS, 0, 0, &fd));
  EXPECT(flags_of(fd) == 0);
  OK(write_str(fd, "o"));
  EXPECT(holds(dir, "log", "oNEtwoXY!"));
  OK(__wasi_fd_close(fd));

  section("NONBLOCK and the sync flags");
  MUST(__wasi_path_open(dir, NOFOLLOW, "log", 0,
                        RIGHTS | __WASI_RIGHTS_FD_SYNC |
                            __WASI_RIGHTS_FD_DATASYNC,
                        0, 0, &fd));
  OK(__wasi_fd_fdstat_set_flags(fd, __WASI_FDFLAGS_NONBLOCK));
  EXPECT(flags_of(fd) == __WASI_FDFLAGS_NONBLOCK);
  OK(__wasi_fd_fdstat_set_flags(fd, __WASI_FDFLAGS_NONBLOCK |
                                        __WASI_FDFLAGS_APPEND));
  EXPECT(flags_of(fd) == (__WASI_FDFLAGS_NONBLOCK | __WASI_FDFLAGS_APPEND));
  OK(__wasi_fd_fdstat_set_flags(fd, 0));
  EXPECT(flags_of(fd) == 0);
  OK(__wasi_fd_fdstat_set_flags(fd, __WASI_FDFLAGS_DSYNC));
  EXPECT(flags_of(fd) & __WASI_FDFLAGS_DSYNC);
  OK(write_str(fd, "s"));
  OK(__wasi_fd_fdstat_set_flags(fd, __WASI_FDFLAGS_SYNC));
  EXPECT(flags_of(fd) & __WASI_FDFLAGS_SYNC);
  OK(write_str(fd, "y"));
  OK(__wasi_fd_fdstat_set_flags(fd, 0));
  EXPECT(flags_of(fd) == 0);
  EXPECT(holds(dir, "log", "syEtwoXY!"));
  OK(__wasi_fd_close(fd));
  /* Flags asked for at open are reported too. */
  MUST(__wasi_path_open(dir, NOFOLLOW, "log", 0, RIGHTS, 0,
                        __WASI_FDFLAGS_NONBLOCK | __WASI_FDFLAGS_APPEND, &fd));
  EXPECT(flags_of(fd) == (__WASI_FDFLAGS_NONBLOCK | __WASI_FDFLAGS_APPEND));
  OK(__wasi_fd_close(fd));

  section("fd_fdstat_set_flags errors");
  MUST(__wasi_path_open(dir, NOFOLLOW, "log", 0, RIGHTS, 0, 0, &fd));
  /* Bits outside the witx fdflags are invalid values. */
  ERR(__wasi_fd_fdstat_set_flags(fd, 0x20), INVAL);
  ERR(__wasi_fd_fdstat_set_flags(fd, 0x8000), INVAL);
  EXPECT(flags_of(fd) == 0);
  OK(__wasi_fd_close(fd));
  ERR(__wasi_fd_fdstat_set_flags(fd, 0), BADF);
  /* Changing flags needs FD_FDSTAT_SET_FLAGS. */
  MUST(__wasi_path_open(dir, NOFOLLOW, "log", 0,
                        __WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_SEEK, 0, 0,
                        &fd));
  ERR(__wasi_fd_fdstat_set_flags(fd, __WASI_FDFLAGS_APPEND), NOTCAPABLE);
  EXPECT(flags_of(fd) == 0);
  OK(__wasi_fd_close(fd));
  /* A read-only descriptor may change its own NONBLOCK. */
  MUST(__wasi_path_open(dir, NOFOLLOW, "log", 0,
                        __WASI_RIGHTS_FD_READ |
                            __WASI_RIGHTS_FD_FDSTAT_SET_FLAGS,
                        0, 0, &fd));
  OK(__wasi_fd_fdstat_set_flags(fd, __WASI_FDFLAGS_NONBLOCK));
  EXPECT(flags_of(fd) == __WASI_FDFLAGS_NONBLOCK);
  OK(__wasi_fd_close(fd));
  EXPECT(holds(dir, "log", "syEtwoXY!"));

  drop_scratch(top, "fdflags.cleanup", dir);
  return finish();
}
