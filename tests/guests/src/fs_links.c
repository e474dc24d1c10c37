/* Hard links and symlinks inside the sandbox: path_link, path_symlink,
 * path_readlink, following and not following, loops. The sandbox is fd 3;
 * the host checks the links the guest leaves behind. */
#include <stdint.h>
#include <unistd.h>
#include <wasi/api.h>

#include "fsutil.h"

#define RW (__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE)

static __wasi_filestat_t lstat_of(const char *path) {
  __wasi_filestat_t st;
  CHECK_ERRNO(__wasi_path_filestat_get(SANDBOX, NOFOLLOW, path, &st),
              __WASI_ERRNO_SUCCESS);
  return st;
}

/* Checks that readlink(path) is exactly `want`. */
static void check_readlink(const char *path, const char *want) {
  char buf[256];
  __wasi_size_t n = 0;
  CHECK_ERRNO(__wasi_path_readlink(SANDBOX, path, (uint8_t *)buf, sizeof buf,
                                   &n),
              __WASI_ERRNO_SUCCESS);
  CHECK(n == strlen(want) && memcmp(buf, want, n) == 0);
}

static void test_link(void) {
  put("orig", "shared");
  CHECK_ERRNO(__wasi_path_link(SANDBOX, 0, "orig", SANDBOX, "hard"),
              __WASI_ERRNO_SUCCESS);
  __wasi_filestat_t a = lstat_of("orig"), b = lstat_of("hard");
  CHECK(a.ino == b.ino && a.dev == b.dev);
  CHECK(a.nlink == 2 && b.nlink == 2);
  /* One file, two names: a write through one shows through the other. */
  put("hard", "changed");
  CHECK(holds("orig", "changed"));
  CHECK_ERRNO(__wasi_path_unlink_file(SANDBOX, "orig"), __WASI_ERRNO_SUCCESS);
  CHECK(holds("hard", "changed") && lstat_of("hard").nlink == 1);

  put("other", "other");
  CHECK_ERRNO(__wasi_path_link(SANDBOX, 0, "hard", SANDBOX, "other"),
              __WASI_ERRNO_EXIST);
  CHECK(holds("other", "other"));
  CHECK_ERRNO(__wasi_path_link(SANDBOX, 0, "missing", SANDBOX, "x"),
              __WASI_ERRNO_NOENT);
  CHECK_ERRNO(__wasi_path_link(SANDBOX, 0, "hard", SANDBOX, "no/such"),
              __WASI_ERRNO_NOENT);
  CHECK_ERRNO(__wasi_path_link(SANDBOX, 0, "hard/", SANDBOX, "x"),
              __WASI_ERRNO_NOTDIR);
  /* Linux refuses hard links to directories with EPERM. */
  CHECK_ERRNO(__wasi_path_create_directory(SANDBOX, "dir"),
              __WASI_ERRNO_SUCCESS);
  CHECK_ERRNO(__wasi_path_link(SANDBOX, 0, "dir", SANDBOX, "dirlink"),
              __WASI_ERRNO_PERM);
  /* Into a subdirectory, through a second handle. */
  __wasi_fd_t dir;
  CHECK_ERRNO(__wasi_path_open(SANDBOX, FOLLOW, "dir", __WASI_OFLAGS_DIRECTORY,
                               __WASI_RIGHTS_PATH_LINK_TARGET |
                                   __WASI_RIGHTS_PATH_LINK_SOURCE,
                               0, 0, &dir),
              __WASI_ERRNO_SUCCESS);
  CHECK_ERRNO(__wasi_path_link(SANDBOX, 0, "hard", dir, "deep"),
              __WASI_ERRNO_SUCCESS);
  CHECK_ERRNO(__wasi_fd_close(dir), __WASI_ERRNO_SUCCESS);
  CHECK(holds("dir/deep", "changed") && lstat_of("hard").nlink == 2);

  /* Without SYMLINK_FOLLOW, linking a symlink links the symlink itself. */
  CHECK_ERRNO(__wasi_path_symlink("hard", SANDBOX, "soft"),
              __WASI_ERRNO_SUCCESS);
  CHECK_ERRNO(__wasi_path_link(SANDBOX, 0, "soft", SANDBOX, "soft2"),
              __WASI_ERRNO_SUCCESS);
  CHECK(lstat_of("soft2").filetype == __WASI_FILETYPE_SYMBOLIC_LINK);
  CHECK(lstat_of("soft2").ino == lstat_of("soft").ino);
  check_readlink("soft2", "hard");

  CHECK(link("/sandbox/hard", "/sandbox/libc") == 0);
  CHECK(lstat_of("hard").nlink == 3);
  OK("path_link");
}

static void test_symlink_readlink(void) {
  put("target", "T");
  CHECK_ERRNO(__wasi_path_symlink("target", SANDBOX, "sl"),
              __WASI_ERRNO_SUCCESS);
  check_readlink("sl", "target");
  CHECK(holds("sl", "T"));
  __wasi_filestat_t st = lstat_of("sl");
  CHECK(st.filetype == __WASI_FILETYPE_SYMBOLIC_LINK && st.size == 6);

  /* The name must be free, whatever holds it. */
  CHECK_ERRNO(__wasi_path_symlink("x", SANDBOX, "sl"), __WASI_ERRNO_EXIST);
  CHECK_ERRNO(__wasi_path_symlink("x", SANDBOX, "target"), __WASI_ERRNO_EXIST);
  CHECK_ERRNO(__wasi_path_symlink("x", SANDBOX, "dir"), __WASI_ERRNO_EXIST);
  CHECK_ERRNO(__wasi_path_symlink("x", SANDBOX, "no/such"),
              __WASI_ERRNO_NOENT);
  check_readlink("sl", "target");

  /* A symlink's text is stored as given, whether or not it resolves. */
  CHECK_ERRNO(__wasi_path_symlink("dir/../target", SANDBOX, "dotted"),
              __WASI_ERRNO_SUCCESS);
  check_readlink("dotted", "dir/../target");
  CHECK(holds("dotted", "T"));
  CHECK_ERRNO(__wasi_path_symlink("not/there", SANDBOX, "dangling"),
              __WASI_ERRNO_SUCCESS);
  check_readlink("dangling", "not/there");
  CHECK_ERRNO(__wasi_path_symlink("../target", SANDBOX, "dir/up"),
              __WASI_ERRNO_SUCCESS);
  check_readlink("dir/up", "../target");
  CHECK(holds("dir/up", "T"));

  /* readlink into a short buffer truncates, as POSIX readlink does, and
   * reports how much it wrote. */
  char small[4] = {'#', '#', '#', '#'};
  __wasi_size_t n = 99;
  CHECK_ERRNO(__wasi_path_readlink(SANDBOX, "sl", (uint8_t *)small, 3, &n),
              __WASI_ERRNO_SUCCESS);
  CHECK(n == 3 && memcmp(small, "tar#", 4) == 0);
  n = 99;
  CHECK_ERRNO(__wasi_path_readlink(SANDBOX, "sl", (uint8_t *)small, 0, &n),
              __WASI_ERRNO_SUCCESS);
  CHECK(n == 0);

  /* readlink of something that is not a symlink. */
  char buf[16];
  CHECK_ERRNO(__wasi_path_readlink(SANDBOX, "target", (uint8_t *)buf,
                                   sizeof buf, &n),
              __WASI_ERRNO_INVAL);
  CHECK_ERRNO(__wasi_path_readlink(SANDBOX, "dir", (uint8_t *)buf, sizeof buf,
                                   &n),
              __WASI_ERRNO_INVAL);
  CHECK_ERRNO(__wasi_path_readlink(SANDBOX, "missing", (uint8_t *)buf,
                                   sizeof buf, &n),
              __WASI_ERRNO_NOENT);

  /* Through wasi-libc. */
  CHECK(symlink("target", "/sandbox/libc_sl") == 0);
  ssize_t len = readlink("/sandbox/libc_sl", buf, sizeof buf);
  CHECK(len == 6 && memcmp(buf, "target", 6) == 0);
  OK("path_symlink/path_readlink");
}

static void test_follow(void) {
  __wasi_fd_t fd = 0;
  /* lookupflags 0 is O_NOFOLLOW for the last component: a symlink there
   * is refused with ELOOP. */
  CHECK_ERRNO(__wasi_path_open(SANDBOX, NOFOLLOW, "sl", 0,
                               __WASI_RIGHTS_FD_READ, 0, 0, &fd),
              __WASI_ERRNO_LOOP);
  CHECK_ERRNO(__wasi_path_open(SANDBOX, FOLLOW, "sl", 0, __WASI_RIGHTS_FD_READ,
                               0, 0, &fd),
              __WASI_ERRNO_SUCCESS);
  CHECK_ERRNO(__wasi_fd_close(fd), __WASI_ERRNO_SUCCESS);
  /* Symlinks in the middle of a path are always followed. */
  CHECK_ERRNO(__wasi_path_symlink("dir", SANDBOX, "dirlink"),
              __WASI_ERRNO_SUCCESS);
  CHECK_ERRNO(__wasi_path_open(SANDBOX, NOFOLLOW, "dirlink/deep", 0,
                               __WASI_RIGHTS_FD_READ, 0, 0, &fd),
              __WASI_ERRNO_SUCCESS);
  CHECK_ERRNO(__wasi_fd_close(fd), __WASI_ERRNO_SUCCESS);
  CHECK(lstat_of("dirlink/deep").filetype == __WASI_FILETYPE_REGULAR_FILE);

  /* A dangling link: ENOENT when followed; creating through it with EXCL
   * fails because the name is taken. */
  CHECK_ERRNO(__wasi_path_open(SANDBOX, FOLLOW, "dangling", 0,
                               __WASI_RIGHTS_FD_READ, 0, 0, &fd),
              __WASI_ERRNO_NOENT);
  CHECK_ERRNO(__wasi_path_open(SANDBOX, FOLLOW, "dangling",
                               __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL, RW, 0,
                               0, &fd),
              __WASI_ERRNO_EXIST);

  /* Loops, of two links and of one. */
  CHECK_ERRNO(__wasi_path_symlink("loop2", SANDBOX, "loop1"),
              __WASI_ERRNO_SUCCESS);
  CHECK_ERRNO(__wasi_path_symlink("loop1", SANDBOX, "loop2"),
              __WASI_ERRNO_SUCCESS);
  CHECK_ERRNO(__wasi_path_symlink("self", SANDBOX, "self"),
              __WASI_ERRNO_SUCCESS);
  CHECK_ERRNO(__wasi_path_open(SANDBOX, FOLLOW, "loop1", 0,
                               __WASI_RIGHTS_FD_READ, 0, 0, &fd),
              __WASI_ERRNO_LOOP);
  CHECK_ERRNO(__wasi_path_open(SANDBOX, FOLLOW, "self", 0,
                               __WASI_RIGHTS_FD_READ, 0, 0, &fd),
              __WASI_ERRNO_LOOP);
  CHECK_ERRNO(__wasi_path_open(SANDBOX, FOLLOW, "self",
                               __WASI_OFLAGS_CREAT, RW, 0, 0, &fd),
              __WASI_ERRNO_LOOP);
  CHECK_ERRNO(__wasi_path_open(SANDBOX, NOFOLLOW, "loop1/x", 0,
                               __WASI_RIGHTS_FD_READ, 0, 0, &fd),
              __WASI_ERRNO_LOOP);
  __wasi_filestat_t st;
  CHECK_ERRNO(__wasi_path_filestat_get(SANDBOX, FOLLOW, "loop1", &st),
              __WASI_ERRNO_LOOP);
  CHECK(lstat_of("loop1").filetype == __WASI_FILETYPE_SYMBOLIC_LINK);
  CHECK_ERRNO(__wasi_path_create_directory(SANDBOX, "self/d"),
              __WASI_ERRNO_LOOP);
  /* A long chain that does end resolves (Linux allows 40 hops). */
  char name[16], next[16];
  for (int i = 0; i < 8; i++) {
    snprintf(name, sizeof name, "chain%d", i);
    if (i == 7)
      snprintf(next, sizeof next, "target");
    else
      snprintf(next, sizeof next, "chain%d", i + 1);
    CHECK_ERRNO(__wasi_path_symlink(next, SANDBOX, name), __WASI_ERRNO_SUCCESS);
  }
  CHECK(holds("chain0", "T"));
  OK("follow/nofollow/loops");
}

int main(void) {
  test_link();
  test_symlink_readlink();
  test_follow();
  OK("fs_links");
  return 0;
}
