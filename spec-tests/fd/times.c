/* fd_filestat_set_times and path_filestat_set_times with each of the 16
 * combinations of ATIM, ATIM_NOW, MTIM and MTIM_NOW, bits outside fstflags,
 * files, directories and symlinks (followed or not), and the errors.
 *
 * A time and "now" for the same stamp together is EINVAL before anything
 * changes, as utimensat(2) makes it impossible to ask. Stamps set to "now"
 * are compared with the realtime clock read around the call, with a second
 * of slack: filesystems take "now" from a coarse clock. */
#include "spec.h"

#define A_SET __WASI_FSTFLAGS_ATIM
#define A_NOW __WASI_FSTFLAGS_ATIM_NOW
#define M_SET __WASI_FSTFLAGS_MTIM
#define M_NOW __WASI_FSTFLAGS_MTIM_NOW
#define SEC 1000000000ull

/* Distinct, old, with nanoseconds, so that each is recognisable. */
#define BASE_A (1000000000ull * SEC + 111111111ull)
#define BASE_M (1100000000ull * SEC + 222222222ull)
#define NEW_A (1200000000ull * SEC + 333333333ull)
#define NEW_M (1300000000ull * SEC + 444444444ull)

static __wasi_fd_t dir;

static __wasi_timestamp_t now(void) {
  __wasi_timestamp_t t = 0;
  MUST(__wasi_clock_time_get(__WASI_CLOCKID_REALTIME, 1, &t));
  return t;
}

static int near(__wasi_timestamp_t t, __wasi_timestamp_t lo,
                __wasi_timestamp_t hi) {
  return t + SEC >= lo && t <= hi + SEC;
}

/* Sets times on `path` (if fd < 0) or on `fd`. */
static __wasi_errno_t set(__wasi_fd_t fd, const char *path, int follow,
                          __wasi_timestamp_t a, __wasi_timestamp_t m,
                          __wasi_fstflags_t flags) {
  if (path)
    return __wasi_path_filestat_set_times(dir, follow ? FOLLOW : NOFOLLOW, path,
                                          a, m, flags);
  return __wasi_fd_filestat_set_times(fd, a, m, flags);
}

static __wasi_filestat_t stat_of(const char *path, int follow) {
  __wasi_filestat_t st;
  memset(&st, 0, sizeof st);
  OK(__wasi_path_filestat_get(dir, follow ? FOLLOW : NOFOLLOW, path, &st));
  return st;
}

/* Runs all 16 combinations through `fd` or `path`, checking `check_path`. */
static void all_combinations(__wasi_fd_t fd, const char *path, int follow,
                             const char *check_path) {
  for (__wasi_fstflags_t flags = 0; flags < 16; flags++) {
    MUST(set(fd, path, follow, BASE_A, BASE_M, A_SET | M_SET));
    __wasi_timestamp_t before = now();
    __wasi_errno_t e = set(fd, path, follow, NEW_A, NEW_M, flags);
    __wasi_timestamp_t after = now();
    __wasi_filestat_t st = stat_of(check_path, follow);
    int invalid = ((flags & A_SET) && (flags & A_NOW)) ||
                  ((flags & M_SET) && (flags & M_NOW));
    char what[64];
    snprintf(what, sizeof what, "set_times with fstflags %u", flags);
    if (invalid) {
      spec_errno(e, __WASI_ERRNO_INVAL, what, __LINE__);
      EXPECT(st.atim == BASE_A && st.mtim == BASE_M);
      continue;
    }
    spec_errno(e, 0, what, __LINE__);
    if (flags & A_SET)
      EXPECT(st.atim == NEW_A);
    else if (flags & A_NOW)
      EXPECT(near(st.atim, before, after));
    else
      EXPECT(st.atim == BASE_A);
    if (flags & M_SET)
      EXPECT(st.mtim == NEW_M);
    else if (flags & M_NOW)
      EXPECT(near(st.mtim, before, after));
    else
      EXPECT(st.mtim == BASE_M);
  }
  /* Bits outside fstflags are invalid values, alone or with valid ones. */
  ERR(set(fd, path, follow, NEW_A, NEW_M, 0x10), INVAL);
  ERR(set(fd, path, follow, NEW_A, NEW_M, A_SET | 0x10), INVAL);
  ERR(set(fd, path, follow, NEW_A, NEW_M, 0x8000), INVAL);
}

int main(void) {
  __wasi_fd_t top = test_dir("fs-tests.dir");
  dir = scratch(top, "times.cleanup");
  MUST(put_file(dir, "file", "data"));
  MUST(__wasi_path_create_directory(dir, "sub"));
  __wasi_fd_t fd;

  section("fd_filestat_set_times on a file");
  MUST(__wasi_path_open(dir, NOFOLLOW, "file", 0,
                        __WASI_RIGHTS_FD_WRITE |
                            __WASI_RIGHTS_FD_FILESTAT_SET_TIMES,
                        0, 0, &fd));
  all_combinations(fd, NULL, 1, "file");
  OK(__wasi_fd_close(fd));
  /* Setting times does not need the right to write the data. */
  MUST(__wasi_path_open(dir, NOFOLLOW, "file", 0,
                        __WASI_RIGHTS_FD_READ |
                            __WASI_RIGHTS_FD_FILESTAT_SET_TIMES,
                        0, 0, &fd));
  OK(__wasi_fd_filestat_set_times(fd, NEW_A, NEW_M, A_SET | M_SET));
  EXPECT(stat_of("file", 1).mtim == NEW_M);
  ERR(__wasi_fd_filestat_set_times(fd, 100, 200, M_SET | M_NOW), INVAL);
  OK(__wasi_fd_close(fd));
  /* It does need FD_FILESTAT_SET_TIMES. */
  MUST(__wasi_path_open(dir, NOFOLLOW, "file", 0,
                        __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE, 0, 0,
                        &fd));
  ERR(__wasi_fd_filestat_set_times(fd, BASE_A, BASE_M, A_SET | M_SET),
      NOTCAPABLE);
  EXPECT(stat_of("file", 1).mtim == NEW_M);
  OK(__wasi_fd_close(fd));
  ERR(__wasi_fd_filestat_set_times(fd, 0, 0, M_NOW), BADF);

  section("fd_filestat_set_times on a directory");
  __wasi_fd_t sub;
  MUST(open_dir_at(dir, "sub", &sub));
  all_combinations(sub, NULL, 1, "sub");
  OK(__wasi_fd_close(sub));

  section("path_filestat_set_times on a file");
  all_combinations(-1, "file", 1, "file");
  section("path_filestat_set_times on a directory");
  all_combinations(-1, "sub", 1, "sub");
  all_combinations(-1, ".", 1, ".");

  section("path_filestat_set_times on a symlink");
  MUST(__wasi_path_symlink("file", dir, "link"));
  MUST(set(-1, "file", 1, BASE_A, BASE_M, A_SET | M_SET));
  /* Followed, the target changes. */
  all_combinations(-1, "link", 1, "file");
  /* Not followed, the link itself changes and the target stays. */
  MUST(set(-1, "file", 1, BASE_A, BASE_M, A_SET | M_SET));
  all_combinations(-1, "link", 0, "link");
  OK(set(-1, "link", 0, NEW_A, NEW_M, A_SET | M_SET));
  __wasi_filestat_t target = stat_of("file", 1);
  EXPECT(target.atim == BASE_A && target.mtim == BASE_M);
  __wasi_filestat_t link = stat_of("link", 0);
  EXPECT(link.atim == NEW_A && link.mtim == NEW_M);
  /* A dangling link's own times can be set; through it there is nothing. */
  MUST(__wasi_path_symlink("missing", dir, "dangling"));
  OK(set(-1, "dangling", 0, NEW_A, NEW_M, A_SET | M_SET));
  EXPECT(stat_of("dangling", 0).mtim == NEW_M);
  ERR(set(-1, "dangling", 1, NEW_A, NEW_M, A_SET | M_SET), NOENT);

  section("path_filestat_set_times errors");
  ERR(set(-1, "missing", 1, 0, 0, M_NOW), NOENT);
  ERR(set(-1, "file/", 1, 0, 0, M_NOW), NOTDIR);
  ERR(__wasi_path_filestat_set_times(dir, 2, "file", 0, 0, M_NOW), INVAL);
  /* The invalid combination is refused even for a missing file. */
  ERR(set(-1, "missing", 1, 0, 0, A_SET | A_NOW), INVAL);
  ERR2(set(-1, "../outside", 1, 0, 0, M_NOW), PERM, NOTCAPABLE);
  __wasi_fd_t narrow;
  MUST(open_dir_at(dir, ".", &narrow));
  __wasi_fdstat_t st;
  MUST(__wasi_fd_fdstat_get(narrow, &st));
  MUST(__wasi_fd_fdstat_set_rights(
      narrow, st.fs_rights_base & ~__WASI_RIGHTS_PATH_FILESTAT_SET_TIMES,
      st.fs_rights_inheriting));
  ERR(__wasi_path_filestat_set_times(narrow, FOLLOW, "file", NEW_A, NEW_M,
                                     A_SET | M_SET),
      NOTCAPABLE);
  OK(__wasi_fd_close(narrow));
  __wasi_fd_t file;
  MUST(__wasi_path_open(dir, NOFOLLOW, "file", 0, __WASI_RIGHTS_FD_READ, 0, 0,
                        &file));
  ERR(__wasi_path_filestat_set_times(file, FOLLOW, "x", 0, 0, M_NOW), NOTDIR);
  OK(__wasi_fd_close(file));

  drop_scratch(top, "times.cleanup", dir);
  return finish();
}
