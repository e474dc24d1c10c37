/* path_open over the whole matrix of oflags x fdflags x rights, on a name
 * that does not exist, a file and a directory. It prints one line per
 * combination with the errno, and the host compares every line with what
 * Linux's own openat answers for the same flags: a refusal that POSIX does
 * not make shows up as a mismatch. Then O_CREAT|O_TRUNC|O_WRONLY|O_APPEND
 * through wasi-libc, with writes, seeks and pwrite. The sandbox is fd 3
 * and holds "file" and "dir". */
#include <fcntl.h>
#include <stdint.h>
#include <unistd.h>
#include <wasi/api.h>

#include "check.h"

#define SANDBOX 3
#define FOLLOW __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW

static void matrix(void) {
  static const char *targets[] = {"missing", "file", "dir"};
  static const __wasi_rights_t rights[] = {
      0, __WASI_RIGHTS_FD_READ, __WASI_RIGHTS_FD_WRITE,
      __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE};
  /* oflags: CREAT 1, DIRECTORY 2, EXCL 4, TRUNC 8. fdflags: APPEND 1,
   * DSYNC 2, NONBLOCK 4, RSYNC 8, SYNC 16. */
  for (int t = 0; t < 3; t++)
    for (int o = 0; o < 16; o++)
      for (int f = 0; f < 32; f++)
        for (int r = 0; r < 4; r++) {
          __wasi_fd_t fd = 0;
          __wasi_errno_t e = __wasi_path_open(SANDBOX, FOLLOW, targets[t], o,
                                              rights[r], 0, f, &fd);
          if (e == 0) CHECK_ERRNO(__wasi_fd_close(fd), __WASI_ERRNO_SUCCESS);
          if (t == 0) {
            /* What an open created goes again, so every combination
             * starts from a missing name. */
            __wasi_errno_t gone = __wasi_path_unlink_file(SANDBOX, "missing");
            CHECK(gone == (e == 0 ? __WASI_ERRNO_SUCCESS : __WASI_ERRNO_NOENT));
          }
          printf("%s o=%d f=%d r=%d errno=%d\n", targets[t], o, f, r, e);
        }
}

/* Starting a log afresh: truncate on open, then only ever append. */
static void trunc_append(void) {
  int fd = open("/sandbox/log", O_CREAT | O_WRONLY, 0644);
  CHECK(fd >= 0 && write(fd, "old contents", 12) == 12 && close(fd) == 0);
  fd = open("/sandbox/log", O_CREAT | O_TRUNC | O_WRONLY | O_APPEND, 0644);
  CHECK(fd >= 0);
  CHECK((fcntl(fd, F_GETFL) & O_APPEND) != 0);
  CHECK(write(fd, "abc", 3) == 3);
  CHECK(lseek(fd, 0, SEEK_CUR) == 3);
  /* Seeking back does not stop the next write going to the end. */
  CHECK(lseek(fd, 0, SEEK_SET) == 0);
  CHECK(write(fd, "def", 3) == 3);
  CHECK(lseek(fd, 0, SEEK_CUR) == 6);
  /* pwrite leaves the offset where it was. */
  CHECK(pwrite(fd, "XY", 2, 0) == 2);
  CHECK(lseek(fd, 0, SEEK_CUR) == 6);
  CHECK(close(fd) == 0);
  OK("O_CREAT|O_TRUNC|O_WRONLY|O_APPEND");
}

int main(void) {
  trunc_append();
  matrix();
  OK("fs_open_flags");
  return 0;
}
