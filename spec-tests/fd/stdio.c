/* Standard streams and isatty: what fd_fdstat_get says about descriptors 0,
 * 1 and 2, writing to them with fd_write, isatty (which wasi-libc answers
 * from fd_fdstat_get alone: a character device without the rights to seek
 * or tell) on pipes, files and directories, and renumbering stdin away.
 *
 * Under a test runner stdout and stderr are pipes, never terminals, so
 * isatty is false for every descriptor here. The check that a terminal is
 * recognised needs a terminal and is made by hand. */
#include <errno.h>
#include <unistd.h>

#include "spec.h"

static __wasi_fdstat_t fdstat_of(__wasi_fd_t fd) {
  __wasi_fdstat_t st;
  memset(&st, 0xff, sizeof st);
  OK(__wasi_fd_fdstat_get(fd, &st));
  return st;
}

/* isatty as POSIX defines it: 0 with errno ENOTTY for anything else. */
static int not_a_tty(int fd) {
  errno = 0;
  return isatty(fd) == 0 && errno == ENOTTY;
}

int main(void) {
  __wasi_fd_t top = test_dir("fs-tests.dir");
  __wasi_fd_t dir = scratch(top, "stdio.cleanup");

  section("fdstat of the standard streams");
  for (__wasi_fd_t fd = 0; fd < 3; fd++) {
    __wasi_fdstat_t st = fdstat_of(fd);
    /* Streams are read or written, never seeked or listed. */
    EXPECT(st.fs_filetype != __WASI_FILETYPE_DIRECTORY);
    EXPECT(!(st.fs_rights_base & __WASI_RIGHTS_FD_READDIR));
    EXPECT(!(st.fs_rights_base & __WASI_RIGHTS_PATH_OPEN));
  }
  EXPECT(fdstat_of(0).fs_rights_base & __WASI_RIGHTS_FD_READ);
  EXPECT(fdstat_of(1).fs_rights_base & __WASI_RIGHTS_FD_WRITE);
  EXPECT(fdstat_of(2).fs_rights_base & __WASI_RIGHTS_FD_WRITE);
  __wasi_prestat_t ps;
  ERR(__wasi_fd_prestat_get(1, &ps), BADF);

  section("writing to stdout and stderr");
  /* Flushed first so that the raw write comes after libc's buffered
   * output in the expected stdout. */
  fflush(stdout);
  __wasi_ciovec_t iov[2] = {{(const uint8_t *)"written ", 8},
                            {(const uint8_t *)"raw\n", 4}};
  __wasi_size_t n = 0;
  EXPECT(OK(__wasi_fd_write(1, iov, 2, &n)) && n == 12);
  __wasi_ciovec_t eiov = {(const uint8_t *)"to stderr\n", 10};
  EXPECT(OK(__wasi_fd_write(2, &eiov, 1, &n)) && n == 10);
  /* An empty write writes nothing and succeeds. */
  EXPECT(OK(__wasi_fd_write(1, iov, 0, &n)) && n == 0);

  section("isatty");
  EXPECT(not_a_tty(1));
  EXPECT(not_a_tty(2));
  __wasi_fd_t file;
  MUST(__wasi_path_open(dir, NOFOLLOW, "file", __WASI_OFLAGS_CREAT, 0, 0, 0,
                        &file));
  EXPECT(not_a_tty((int)file));
  __wasi_fdstat_t st = fdstat_of(file);
  EXPECT(st.fs_filetype == __WASI_FILETYPE_REGULAR_FILE);
  EXPECT(not_a_tty((int)dir));
  EXPECT(fdstat_of(dir).fs_filetype == __WASI_FILETYPE_DIRECTORY);
  /* A closed descriptor is EBADF, not ENOTTY. */
  errno = 0;
  EXPECT(isatty(0x7fffff) == 0 && errno == EBADF);

  section("renumbering a standard stream");
  /* fd_renumber moves stdin onto another number; 0 is then closed. */
  OK(__wasi_fd_renumber(0, file));
  EXPECT(OK(__wasi_fd_fdstat_get(file, &st)) &&
         (st.fs_rights_base & __WASI_RIGHTS_FD_READ));
  ERR(__wasi_fd_fdstat_get(0, &st), BADF);
  OK(__wasi_fd_close(file));

  drop_scratch(top, "stdio.cleanup", dir);
  return finish();
}
