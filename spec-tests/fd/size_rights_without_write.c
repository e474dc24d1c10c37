/* A descriptor opened with FD_FILESTAT_SET_SIZE or FD_ALLOCATE but not
 * FD_WRITE. In preview1 the rights a descriptor holds say what it may do, so
 * there are two consistent answers: the descriptor holds the right and the
 * call works (wasmtime opens such a file for writing), or the right is
 * dropped at open, fd_fdstat_get does not show it, and the call is
 * ENOTCAPABLE. Holding the right and then failing with a host errno
 * (EINVAL from ftruncate or EBADF from fallocate on a read-only host
 * descriptor) is neither. */
#include "spec.h"

static __wasi_fd_t dir;

static __wasi_filesize_t size_at(const char *path) {
  __wasi_filestat_t st;
  if (__wasi_path_filestat_get(dir, FOLLOW, path, &st)) return (uint64_t)-1;
  return st.size;
}

/* Opens `file` with `rights` and calls `op` through it; checks that the call
 * works if the right shows in fdstat and is ENOTCAPABLE if it does not. */
static void check(__wasi_rights_t rights, __wasi_rights_t needed, int op,
                  __wasi_filesize_t size_after, int must_hold) {
  __wasi_fd_t fd;
  MUST(put_file(dir, "file", "0123456789"));
  MUST(__wasi_path_open(dir, NOFOLLOW, "file", 0, rights, 0, 0, &fd));
  __wasi_fdstat_t st;
  MUST(__wasi_fd_fdstat_get(fd, &st));
  int held = (st.fs_rights_base & needed) == needed;
  if (must_hold) EXPECT(held);
  __wasi_errno_t e = op == 0 ? __wasi_fd_filestat_set_size(fd, 4)
                             : __wasi_fd_allocate(fd, 0, 100);
  const char *call = op == 0 ? "fd_filestat_set_size(fd, 4)"
                             : "fd_allocate(fd, 0, 100)";
  if (held) {
    spec_errno(e, 0, call, __LINE__);
    EXPECT(size_at("file") == size_after);
  } else {
    spec_errno(e, __WASI_ERRNO_NOTCAPABLE, call, __LINE__);
    EXPECT(size_at("file") == 10);
  }
  OK(__wasi_fd_close(fd));
}

int main(void) {
  __wasi_fd_t top = test_dir("fs-tests.dir");
  dir = scratch(top, "size_rights_without_write.cleanup");

  section("FD_FILESTAT_SET_SIZE without FD_WRITE");
  check(__WASI_RIGHTS_FD_FILESTAT_SET_SIZE, __WASI_RIGHTS_FD_FILESTAT_SET_SIZE,
        0, 4, 0);
  check(__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_FILESTAT_SET_SIZE,
        __WASI_RIGHTS_FD_FILESTAT_SET_SIZE, 0, 4, 0);

  section("FD_ALLOCATE without FD_WRITE");
  check(__WASI_RIGHTS_FD_ALLOCATE, __WASI_RIGHTS_FD_ALLOCATE, 1, 100, 0);
  check(__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_ALLOCATE,
        __WASI_RIGHTS_FD_ALLOCATE, 1, 100, 0);

  section("with FD_WRITE both work");
  check(__WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_FILESTAT_SET_SIZE,
        __WASI_RIGHTS_FD_FILESTAT_SET_SIZE, 0, 4, 1);
  check(__WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_ALLOCATE,
        __WASI_RIGHTS_FD_ALLOCATE, 1, 100, 1);

  drop_scratch(top, "size_rights_without_write.cleanup", dir);
  return finish();
}
