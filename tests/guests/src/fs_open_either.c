/* A path opened read-only without O_DIRECTORY may be a file or a
 * directory, and the host may learn which only when the descriptor is
 * used. Whichever it is, every call must see it as what it is: rights,
 * type, directory calls through it, file calls refused on it, and escapes
 * through it shut like through any directory. The sandbox is fd 3. */
#define _GNU_SOURCE /* memmem */
#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <wasi/api.h>

#include "fsutil.h"

/* What libc's open(O_RDONLY) asks for: everything `at` may pass on but
 * writing, and no oflags, not even O_DIRECTORY. */
#define WRITING \
  (__WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_FILESTAT_SET_SIZE | __WASI_RIGHTS_FD_ALLOCATE)

static __wasi_errno_t try_open(__wasi_fd_t at, const char *path, __wasi_fd_t *fd) {
  __wasi_rights_t all = fdstat(at).fs_rights_inheriting & ~WRITING;
  return __wasi_path_open(at, 0, path, 0, all, all, 0, fd);
}

static __wasi_fd_t open_plain(__wasi_fd_t at, const char *path) {
  __wasi_fd_t fd;
  CHECK_ERRNO(try_open(at, path, &fd), __WASI_ERRNO_SUCCESS);
  return fd;
}

/* Reads `fd`, which must hold the single byte `want`, and closes it. */
static void read_one_and_close(__wasi_fd_t fd, char want) {
  char buf[8] = {0};
  __wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf};
  __wasi_size_t n;
  CHECK_ERRNO(__wasi_fd_read(fd, &iov, 1, &n), __WASI_ERRNO_SUCCESS);
  CHECK(n == 1 && buf[0] == want);
  CHECK_ERRNO(__wasi_fd_close(fd), __WASI_ERRNO_SUCCESS);
}

static void test_directory(void) {
  CHECK_ERRNO(__wasi_path_create_directory(SANDBOX, "dir"), __WASI_ERRNO_SUCCESS);
  put("dir/inner", "I");

  /* Directory calls first, before anything has asked what it is. */
  __wasi_fd_t dir = open_plain(SANDBOX, "dir");
  read_one_and_close(open_plain(dir, "inner"), 'I');

  /* Escapes through it are shut as through any directory. */
  __wasi_fd_t unused;
  CHECK_ERRNO(try_open(dir, "../..", &unused), __WASI_ERRNO_PERM);
  CHECK_ERRNO(try_open(dir, "/etc", &unused), __WASI_ERRNO_PERM);

  /* It reports itself as a directory, with directory rights only. */
  __wasi_fdstat_t st = fdstat(dir);
  CHECK(st.fs_filetype == __WASI_FILETYPE_DIRECTORY);
  CHECK((st.fs_rights_base & __WASI_RIGHTS_PATH_OPEN) != 0);
  CHECK((st.fs_rights_base & __WASI_RIGHTS_FD_READDIR) != 0);
  CHECK((st.fs_rights_base & __WASI_RIGHTS_FD_SEEK) == 0);
  CHECK((st.fs_rights_base & __WASI_RIGHTS_FD_READ) == 0);
  CHECK(fstat_of(dir).filetype == __WASI_FILETYPE_DIRECTORY);

  /* File calls on it are refused, as on any directory. */
  char buf[4];
  __wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf};
  __wasi_size_t n;
  CHECK_ERRNO(__wasi_fd_read(dir, &iov, 1, &n), __WASI_ERRNO_BADF);
  __wasi_filesize_t pos;
  CHECK_ERRNO(__wasi_fd_seek(dir, 0, __WASI_WHENCE_SET, &pos), __WASI_ERRNO_BADF);

  /* And it lists. */
  uint8_t list[256];
  __wasi_size_t used;
  CHECK_ERRNO(__wasi_fd_readdir(dir, list, sizeof list, 0, &used), __WASI_ERRNO_SUCCESS);
  CHECK(used > 0 && memmem(list, used, "inner", 5) != NULL);
  CHECK_ERRNO(__wasi_fd_close(dir), __WASI_ERRNO_SUCCESS);

  /* Asked about first, it is a directory all the same. */
  dir = open_plain(SANDBOX, "dir");
  CHECK(fdstat(dir).fs_filetype == __WASI_FILETYPE_DIRECTORY);
  CHECK_ERRNO(__wasi_path_create_directory(dir, "made"), __WASI_ERRNO_SUCCESS);
  CHECK_ERRNO(__wasi_fd_close(dir), __WASI_ERRNO_SUCCESS);

  /* libc's open(O_RDONLY) and fdopendir take the same road. */
  int fd = open("/sandbox/dir", O_RDONLY);
  CHECK(fd >= 0);
  DIR *d = fdopendir(fd);
  CHECK(d != NULL);
  int seen = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) seen += e->d_name[0] != '.';
  CHECK(seen == 2);
  closedir(d);
  OK("directory opened without O_DIRECTORY");
}

static void test_file(void) {
  put("plain", "P");
  __wasi_fd_t file = open_plain(SANDBOX, "plain");
  /* Directory calls on a file are ENOTDIR. */
  __wasi_fd_t unused;
  CHECK_ERRNO(try_open(file, "x", &unused), __WASI_ERRNO_NOTDIR);
  CHECK_ERRNO(__wasi_path_create_directory(file, "x"), __WASI_ERRNO_NOTDIR);
  uint8_t list[64];
  __wasi_size_t used;
  CHECK_ERRNO(__wasi_fd_readdir(file, list, sizeof list, 0, &used), __WASI_ERRNO_NOTDIR);
  /* It reports file rights only, and reads. */
  __wasi_fdstat_t st = fdstat(file);
  CHECK(st.fs_filetype == __WASI_FILETYPE_REGULAR_FILE);
  CHECK((st.fs_rights_base & __WASI_RIGHTS_FD_READ) != 0);
  CHECK((st.fs_rights_base & __WASI_RIGHTS_PATH_OPEN) == 0);
  CHECK((st.fs_rights_base & __WASI_RIGHTS_FD_READDIR) == 0);
  read_one_and_close(file, 'P');
  OK("file opened without O_DIRECTORY");
}

int main(void) {
  test_directory();
  test_file();
  return 0;
}
