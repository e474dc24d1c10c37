/* Asking for FD_WRITE when opening a directory, with O_DIRECTORY or without.
 *
 * A directory cannot be written, so open(2) refuses O_WRONLY or O_RDWR on
 * one with EISDIR, O_DIRECTORY or not. The official suite's
 * path_open_preopen expects the same EISDIR from path_open(".",
 * O_DIRECTORY, FD_READ|FD_WRITE) on every platform but Windows. Silently
 * dropping the write right and opening the directory hides the mistake from
 * the program. */
#include "spec.h"

static __wasi_errno_t try_open(__wasi_fd_t at, const char *path,
                               __wasi_oflags_t oflags, __wasi_rights_t base) {
  __wasi_fd_t fd;
  __wasi_errno_t e = __wasi_path_open(at, FOLLOW, path, oflags, base, 0, 0, &fd);
  if (e == 0) e = __wasi_fd_close(fd);
  return e;
}

int main(void) {
  __wasi_fd_t top = test_dir("fs-tests.dir");
  __wasi_fd_t dir = scratch(top, "open_directory_for_writing.cleanup");
  MUST(__wasi_path_create_directory(dir, "sub"));

  section("without O_DIRECTORY");
  ERR(try_open(top, ".", 0, __WASI_RIGHTS_FD_WRITE), ISDIR);
  ERR(try_open(dir, "sub", 0, __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE),
      ISDIR);

  section("with O_DIRECTORY");
  ERR(try_open(top, ".", __WASI_OFLAGS_DIRECTORY,
               __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE),
      ISDIR);
  ERR(try_open(top, ".", __WASI_OFLAGS_DIRECTORY, __WASI_RIGHTS_FD_WRITE),
      ISDIR);
  ERR(try_open(dir, "sub", __WASI_OFLAGS_DIRECTORY, __WASI_RIGHTS_FD_WRITE),
      ISDIR);
  /* Rights that only read, or none, are fine. */
  OK(try_open(top, ".", __WASI_OFLAGS_DIRECTORY, __WASI_RIGHTS_FD_READ));
  OK(try_open(top, ".", __WASI_OFLAGS_DIRECTORY, 0));

  drop_scratch(top, "open_directory_for_writing.cleanup", dir);
  return finish();
}
