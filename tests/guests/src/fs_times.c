/* Stat and timestamps: path_filestat_get with and without following a
 * symlink, fd_filestat_set_times and path_filestat_set_times with every
 * valid and invalid combination of fstflags. The sandbox is fd 3. */
#include <stdint.h>
#include <wasi/api.h>

#include "fsutil.h"

#define ATIM __WASI_FSTFLAGS_ATIM
#define ATIM_NOW __WASI_FSTFLAGS_ATIM_NOW
#define MTIM __WASI_FSTFLAGS_MTIM
#define MTIM_NOW __WASI_FSTFLAGS_MTIM_NOW

/* Timestamps with a sub-second part, so truncation to seconds shows. */
#define T1 1500000000123456789ull
#define T2 1400000000987654321ull
#define T3 1300000000000000001ull
#define T4 1200000000500000000ull
#define T5 1100000000250000000ull
#define T6 1000000000750000000ull

/* File timestamps come from a coarse clock that can lag the realtime
 * clock by up to a tick; a second of slack is plenty. */
#define SLACK 1000000000ull

#define STAMP_RIGHTS                                                          \
  (__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE |                           \
   __WASI_RIGHTS_FD_FILESTAT_GET | __WASI_RIGHTS_FD_FILESTAT_SET_TIMES)

static __wasi_filestat_t pstat(__wasi_lookupflags_t flags, const char *path) {
  __wasi_filestat_t st;
  CHECK_ERRNO(__wasi_path_filestat_get(SANDBOX, flags, path, &st),
              __WASI_ERRNO_SUCCESS);
  return st;
}

static __wasi_timestamp_t now(void) {
  __wasi_timestamp_t t;
  CHECK_ERRNO(__wasi_clock_time_get(__WASI_CLOCKID_REALTIME, 1, &t),
              __WASI_ERRNO_SUCCESS);
  return t;
}

static void test_path_filestat_get(void) {
  __wasi_fd_t fd;
  CHECK_ERRNO(__wasi_path_open(SANDBOX, FOLLOW, "t.txt", __WASI_OFLAGS_CREAT,
                               STAMP_RIGHTS, 0, 0, &fd),
              __WASI_ERRNO_SUCCESS);
  __wasi_ciovec_t iov = {(const uint8_t *)"0123456789", 10};
  __wasi_size_t n;
  CHECK_ERRNO(__wasi_fd_write(fd, &iov, 1, &n), __WASI_ERRNO_SUCCESS);
  CHECK_ERRNO(__wasi_fd_close(fd), __WASI_ERRNO_SUCCESS);
  CHECK_ERRNO(__wasi_path_symlink("t.txt", SANDBOX, "t.link"),
              __WASI_ERRNO_SUCCESS);
  CHECK_ERRNO(__wasi_path_symlink("nowhere", SANDBOX, "dangling"),
              __WASI_ERRNO_SUCCESS);
  CHECK_ERRNO(__wasi_path_create_directory(SANDBOX, "sub"),
              __WASI_ERRNO_SUCCESS);

  __wasi_filestat_t file = pstat(NOFOLLOW, "t.txt");
  CHECK(file.filetype == __WASI_FILETYPE_REGULAR_FILE);
  CHECK(file.size == 10 && file.nlink == 1);

  /* Following the link reports the target. */
  __wasi_filestat_t followed = pstat(FOLLOW, "t.link");
  CHECK(followed.filetype == __WASI_FILETYPE_REGULAR_FILE);
  CHECK(followed.ino == file.ino && followed.dev == file.dev);
  CHECK(followed.size == 10);

  /* Not following reports the link itself: its size is its text. */
  __wasi_filestat_t link = pstat(NOFOLLOW, "t.link");
  CHECK(link.filetype == __WASI_FILETYPE_SYMBOLIC_LINK);
  CHECK(link.ino != file.ino);
  CHECK(link.size == strlen("t.txt"));

  __wasi_filestat_t st;
  CHECK(pstat(NOFOLLOW, "dangling").filetype == __WASI_FILETYPE_SYMBOLIC_LINK);
  CHECK_ERRNO(__wasi_path_filestat_get(SANDBOX, FOLLOW, "dangling", &st),
              __WASI_ERRNO_NOENT);
  CHECK_ERRNO(__wasi_path_filestat_get(SANDBOX, FOLLOW, "missing", &st),
              __WASI_ERRNO_NOENT);
  CHECK_ERRNO(__wasi_path_filestat_get(SANDBOX, FOLLOW, "t.txt/", &st),
              __WASI_ERRNO_NOTDIR);
  CHECK_ERRNO(__wasi_path_filestat_get(SANDBOX, FOLLOW, "t.txt/x", &st),
              __WASI_ERRNO_NOTDIR);

  __wasi_filestat_t dir = pstat(FOLLOW, "sub");
  CHECK(dir.filetype == __WASI_FILETYPE_DIRECTORY);
  CHECK(dir.nlink >= 2);
  /* "." is the preopen itself. */
  __wasi_filestat_t dot = pstat(FOLLOW, "."), pre = fstat_of(SANDBOX);
  CHECK(dot.ino == pre.ino && dot.dev == pre.dev);
  CHECK(pre.filetype == __WASI_FILETYPE_DIRECTORY);
  OK("path_filestat_get");
}

static void test_fd_set_times(void) {
  __wasi_fd_t fd;
  CHECK_ERRNO(__wasi_path_open(SANDBOX, FOLLOW, "t.txt", 0, STAMP_RIGHTS, 0, 0,
                               &fd),
              __WASI_ERRNO_SUCCESS);
  CHECK_ERRNO(__wasi_fd_filestat_set_times(fd, T1, T2, ATIM | MTIM),
              __WASI_ERRNO_SUCCESS);
  __wasi_filestat_t st = fstat_of(fd);
  CHECK(st.atim == T1 && st.mtim == T2);

  /* No flags: nothing changes, whatever the values say. */
  CHECK_ERRNO(__wasi_fd_filestat_set_times(fd, T3, T3, 0),
              __WASI_ERRNO_SUCCESS);
  st = fstat_of(fd);
  CHECK(st.atim == T1 && st.mtim == T2);

  /* One timestamp at a time leaves the other alone. */
  CHECK_ERRNO(__wasi_fd_filestat_set_times(fd, 0, T3, MTIM),
              __WASI_ERRNO_SUCCESS);
  st = fstat_of(fd);
  CHECK(st.atim == T1 && st.mtim == T3);
  CHECK_ERRNO(__wasi_fd_filestat_set_times(fd, T4, 0, ATIM),
              __WASI_ERRNO_SUCCESS);
  st = fstat_of(fd);
  CHECK(st.atim == T4 && st.mtim == T3);

  /* _NOW takes the current time and ignores the value passed. */
  __wasi_timestamp_t before = now();
  CHECK_ERRNO(__wasi_fd_filestat_set_times(fd, T5, 0, ATIM_NOW),
              __WASI_ERRNO_SUCCESS);
  st = fstat_of(fd);
  CHECK(st.atim + SLACK >= before && st.atim <= now() + SLACK);
  CHECK(st.mtim == T3);
  CHECK_ERRNO(__wasi_fd_filestat_set_times(fd, T4, T5, ATIM | MTIM_NOW),
              __WASI_ERRNO_SUCCESS);
  st = fstat_of(fd);
  CHECK(st.atim == T4);
  CHECK(st.mtim + SLACK >= before && st.mtim <= now() + SLACK);
  CHECK_ERRNO(__wasi_fd_filestat_set_times(fd, 0, 0, ATIM_NOW | MTIM_NOW),
              __WASI_ERRNO_SUCCESS);
  st = fstat_of(fd);
  CHECK(st.atim + SLACK >= before && st.mtim + SLACK >= before);

  /* A value and _NOW for the same timestamp contradict each other. */
  CHECK_ERRNO(__wasi_fd_filestat_set_times(fd, T1, T2, ATIM | MTIM),
              __WASI_ERRNO_SUCCESS);
  CHECK_ERRNO(__wasi_fd_filestat_set_times(fd, T6, 0, ATIM | ATIM_NOW),
              __WASI_ERRNO_INVAL);
  CHECK_ERRNO(__wasi_fd_filestat_set_times(fd, 0, T6, MTIM | MTIM_NOW),
              __WASI_ERRNO_INVAL);
  CHECK_ERRNO(__wasi_fd_filestat_set_times(
                  fd, T6, T6, ATIM | ATIM_NOW | MTIM | MTIM_NOW),
              __WASI_ERRNO_INVAL);
  /* Even when the other half alone would have been valid. */
  CHECK_ERRNO(__wasi_fd_filestat_set_times(fd, T6, T6, ATIM | MTIM | MTIM_NOW),
              __WASI_ERRNO_INVAL);
  st = fstat_of(fd);
  CHECK(st.atim == T1 && st.mtim == T2);

  /* Directories have timestamps too. */
  __wasi_fd_t dir;
  CHECK_ERRNO(__wasi_path_open(SANDBOX, FOLLOW, "sub",
                               __WASI_OFLAGS_DIRECTORY,
                               __WASI_RIGHTS_FD_FILESTAT_GET |
                                   __WASI_RIGHTS_FD_FILESTAT_SET_TIMES,
                               0, 0, &dir),
              __WASI_ERRNO_SUCCESS);
  CHECK_ERRNO(__wasi_fd_filestat_set_times(dir, T5, T6, ATIM | MTIM),
              __WASI_ERRNO_SUCCESS);
  st = fstat_of(dir);
  CHECK(st.atim == T5 && st.mtim == T6);
  CHECK_ERRNO(__wasi_fd_close(dir), __WASI_ERRNO_SUCCESS);
  CHECK_ERRNO(__wasi_fd_close(fd), __WASI_ERRNO_SUCCESS);
  CHECK_ERRNO(__wasi_fd_filestat_set_times(fd, T1, T2, ATIM | MTIM),
              __WASI_ERRNO_BADF);
  OK("fd_filestat_set_times");
}

static void test_path_set_times(void) {
  __wasi_filestat_t link_before = pstat(NOFOLLOW, "t.link");

  /* Following the link stamps the target and leaves the link alone. */
  CHECK_ERRNO(__wasi_path_filestat_set_times(SANDBOX, FOLLOW, "t.link", T3,
                                             T4, ATIM | MTIM),
              __WASI_ERRNO_SUCCESS);
  __wasi_filestat_t file = pstat(NOFOLLOW, "t.txt");
  CHECK(file.atim == T3 && file.mtim == T4);
  __wasi_filestat_t link = pstat(NOFOLLOW, "t.link");
  CHECK(link.mtim == link_before.mtim);

  /* Without following, the link itself is stamped (utimensat with
   * AT_SYMLINK_NOFOLLOW) and the target keeps its times. */
  CHECK_ERRNO(__wasi_path_filestat_set_times(SANDBOX, NOFOLLOW, "t.link", T5,
                                             T6, ATIM | MTIM),
              __WASI_ERRNO_SUCCESS);
  link = pstat(NOFOLLOW, "t.link");
  CHECK(link.atim == T5 && link.mtim == T6);
  file = pstat(NOFOLLOW, "t.txt");
  CHECK(file.atim == T3 && file.mtim == T4);

  CHECK_ERRNO(__wasi_path_filestat_set_times(SANDBOX, NOFOLLOW, "t.txt", 0, T1,
                                             MTIM),
              __WASI_ERRNO_SUCCESS);
  file = pstat(NOFOLLOW, "t.txt");
  CHECK(file.atim == T3 && file.mtim == T1);

  __wasi_timestamp_t before = now();
  CHECK_ERRNO(__wasi_path_filestat_set_times(SANDBOX, FOLLOW, "t.txt", 0, 0,
                                             ATIM_NOW | MTIM_NOW),
              __WASI_ERRNO_SUCCESS);
  file = pstat(NOFOLLOW, "t.txt");
  CHECK(file.atim + SLACK >= before && file.mtim + SLACK >= before);

  CHECK_ERRNO(__wasi_path_filestat_set_times(SANDBOX, FOLLOW, "t.txt", T1, T2,
                                             ATIM | MTIM),
              __WASI_ERRNO_SUCCESS);
  CHECK_ERRNO(__wasi_path_filestat_set_times(SANDBOX, FOLLOW, "t.txt", T6, 0,
                                             ATIM | ATIM_NOW),
              __WASI_ERRNO_INVAL);
  CHECK_ERRNO(__wasi_path_filestat_set_times(SANDBOX, FOLLOW, "t.txt", 0, T6,
                                             MTIM | MTIM_NOW),
              __WASI_ERRNO_INVAL);
  CHECK_ERRNO(__wasi_path_filestat_set_times(SANDBOX, NOFOLLOW, "t.link", T6,
                                             T6, ATIM | ATIM_NOW | MTIM),
              __WASI_ERRNO_INVAL);
  file = pstat(NOFOLLOW, "t.txt");
  CHECK(file.atim == T1 && file.mtim == T2);

  CHECK_ERRNO(__wasi_path_filestat_set_times(SANDBOX, FOLLOW, "sub", T2, T1,
                                             ATIM | MTIM),
              __WASI_ERRNO_SUCCESS);
  __wasi_filestat_t dir = pstat(NOFOLLOW, "sub");
  CHECK(dir.atim == T2 && dir.mtim == T1);

  CHECK_ERRNO(__wasi_path_filestat_set_times(SANDBOX, FOLLOW, "missing", T1,
                                             T2, ATIM | MTIM),
              __WASI_ERRNO_NOENT);
  CHECK_ERRNO(__wasi_path_filestat_set_times(SANDBOX, FOLLOW, "dangling", T1,
                                             T2, ATIM | MTIM),
              __WASI_ERRNO_NOENT);
  CHECK_ERRNO(__wasi_path_filestat_set_times(SANDBOX, FOLLOW, "t.txt/", T1,
                                             T2, ATIM | MTIM),
              __WASI_ERRNO_NOTDIR);
  OK("path_filestat_set_times");
}

int main(void) {
  test_path_filestat_get();
  test_fd_set_times();
  test_path_set_times();
  OK("fs_times");
  return 0;
}
