/* Races the host. While this loop runs, a host thread keeps swapping
 * "d" in the sandbox (fd 3) between a real directory and a symlink that
 * points outside. Each attempt opens "d/f" for writing, creating it, and
 * writes a marker; reads "d/secret.txt"; and makes and removes "d/newdir".
 * Through the directory these work; through the symlink they must be
 * refused; never may they reach outside. A read that returns the outside
 * secret ends the run with status 3.
 *
 * argv[1]: attempts. Prints "attempts N opened O refused R other X". */
#include <stdint.h>
#include <wasi/api.h>

#include "check.h"

#define SANDBOX 3
#define FOLLOW __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW

static const char MARKER[] = "RACE-MARKER written by the guest\n";

int main(int argc, char **argv) {
  CHECK(argc == 2);
  long attempts = atol(argv[1]);
  long opened = 0, refused = 0, other = 0;
  for (long i = 0; i < attempts; i++) {
    __wasi_fd_t fd;
    __wasi_errno_t e = __wasi_path_open(
        SANDBOX, FOLLOW, "d/f", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC,
        __WASI_RIGHTS_FD_WRITE, 0, 0, &fd);
    if (e == __WASI_ERRNO_SUCCESS) {
      __wasi_ciovec_t iov = {(const uint8_t *)MARKER, sizeof MARKER - 1};
      __wasi_size_t n;
      CHECK_ERRNO(__wasi_fd_write(fd, &iov, 1, &n), __WASI_ERRNO_SUCCESS);
      CHECK_ERRNO(__wasi_fd_close(fd), __WASI_ERRNO_SUCCESS);
      opened++;
    } else if (e == __WASI_ERRNO_PERM) {
      refused++;
    } else {
      other++;
    }

    e = __wasi_path_open(SANDBOX, FOLLOW, "d/secret.txt", 0,
                         __WASI_RIGHTS_FD_READ, 0, 0, &fd);
    if (e == __WASI_ERRNO_SUCCESS) {
      char buf[64];
      __wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf};
      __wasi_size_t n = 0;
      CHECK_ERRNO(__wasi_fd_read(fd, &iov, 1, &n), __WASI_ERRNO_SUCCESS);
      CHECK_ERRNO(__wasi_fd_close(fd), __WASI_ERRNO_SUCCESS);
      if (n >= 7 && memcmp(buf, "OUTSIDE", 7) == 0) {
        printf("LEAK: read the outside secret on attempt %ld\n", i);
        return 3;
      }
    }

    if (__wasi_path_create_directory(SANDBOX, "d/newdir") ==
        __WASI_ERRNO_SUCCESS)
      (void)__wasi_path_remove_directory(SANDBOX, "d/newdir");
  }
  printf("attempts %ld opened %ld refused %ld other %ld\n", attempts, opened,
         refused, other);
  return 0;
}
