/* Symlinks: dangling and looping links, what every call does with
 * LOOKUP_SYMLINK_FOLLOW off, the filestat of a link itself, readlink, and
 * links whose target leaves the directory.
 *
 * Where runtimes disagree (opening a link with O_DIRECTORY and no follow:
 * ELOOP or ENOTDIR; creating through a dangling link), these are the answers
 * Linux gives for openat(2), fstatat(2), linkat(2) and friends. */
#include "spec.h"

static __wasi_fd_t dir;

static __wasi_errno_t try_open(const char *path, int follow,
                               __wasi_oflags_t oflags, __wasi_rights_t rights) {
  __wasi_fd_t fd;
  __wasi_errno_t e = __wasi_path_open(dir, follow ? FOLLOW : NOFOLLOW, path,
                                      oflags, rights, 0, 0, &fd);
  if (e == 0) e = __wasi_fd_close(fd);
  return e;
}

static __wasi_errno_t try_stat(const char *path, int follow,
                               __wasi_filestat_t *st) {
  __wasi_filestat_t ignored;
  return __wasi_path_filestat_get(dir, follow ? FOLLOW : NOFOLLOW, path,
                                  st ? st : &ignored);
}

/* Whether readlink(path) is exactly `want`. */
static int reads_link(const char *path, const char *want) {
  char buf[128];
  __wasi_size_t n = 0;
  if (__wasi_path_readlink(dir, path, (uint8_t *)buf, sizeof buf, &n) != 0)
    return 0;
  return n == strlen(want) && memcmp(buf, want, n) == 0;
}

int main(void) {
  __wasi_fd_t top = test_dir("fs-tests.dir");
  dir = scratch(top, "symlinks.cleanup");
  __wasi_filestat_t st, st2;
  MUST(put_file(dir, "file", "contents"));
  MUST(__wasi_path_create_directory(dir, "dir"));

  section("symlink creation and readlink");
  OK(__wasi_path_symlink("file", dir, "link-file"));
  OK(__wasi_path_symlink("dir", dir, "link-dir"));
  EXPECT(reads_link("link-file", "file"));
  EXPECT(reads_link("link-dir", "dir"));
  /* The target is stored as written, without being checked. */
  OK(__wasi_path_symlink("a/b/../c//d", dir, "link-text"));
  EXPECT(reads_link("link-text", "a/b/../c//d"));
  ERR(__wasi_path_symlink("file", dir, "link-file"), EXIST);
  ERR(__wasi_path_symlink("file", dir, "file"), EXIST);
  ERR(__wasi_path_symlink("file", dir, "dir"), EXIST);
  ERR(__wasi_path_symlink("file", dir, "missing/link"), NOENT);
  /* An empty target is refused by Linux with ENOENT. */
  ERR(__wasi_path_symlink("", dir, "link-empty"), NOENT);
  EXPECT(!exists(dir, "link-empty"));
  /* readlink of something that is not a link is EINVAL. */
  char buf[8];
  __wasi_size_t n = 0;
  ERR(__wasi_path_readlink(dir, "file", (uint8_t *)buf, sizeof buf, &n), INVAL);
  ERR(__wasi_path_readlink(dir, "dir", (uint8_t *)buf, sizeof buf, &n), INVAL);
  ERR(__wasi_path_readlink(dir, "missing", (uint8_t *)buf, sizeof buf, &n),
      NOENT);
  /* A short buffer gets the start of the target, as readlink(2) does. */
  n = 99;
  OK(__wasi_path_readlink(dir, "link-text", (uint8_t *)buf, 3, &n));
  EXPECT(n == 3 && memcmp(buf, "a/b", 3) == 0);

  section("symlink filestat");
  EXPECT(OK(try_stat("link-file", 0, &st)));
  EXPECT(st.filetype == __WASI_FILETYPE_SYMBOLIC_LINK);
  EXPECT(st.size == strlen("file"));
  EXPECT(st.nlink == 1);
  EXPECT(OK(try_stat("link-file", 1, &st2)));
  EXPECT(st2.filetype == __WASI_FILETYPE_REGULAR_FILE);
  EXPECT(st2.size == strlen("contents"));
  EXPECT(st.ino != st2.ino);
  EXPECT(OK(try_stat("file", 0, &st)) && st.ino == st2.ino && st.dev == st2.dev);
  EXPECT(OK(try_stat("link-dir", 0, &st)) &&
         st.filetype == __WASI_FILETYPE_SYMBOLIC_LINK);
  EXPECT(OK(try_stat("link-dir", 1, &st)) &&
         st.filetype == __WASI_FILETYPE_DIRECTORY);
  /* A link in the middle of a path is always followed. */
  OK(put_file(dir, "dir/inner", "x"));
  EXPECT(OK(try_stat("link-dir/inner", 0, &st)) &&
         st.filetype == __WASI_FILETYPE_REGULAR_FILE);

  section("LOOKUP_SYMLINK_FOLLOW off");
  /* O_NOFOLLOW on a link is ELOOP; with O_DIRECTORY too, Linux checks the
   * type first and answers ENOTDIR. */
  ERR(try_open("link-file", 0, 0, __WASI_RIGHTS_FD_READ), LOOP);
  ERR(try_open("link-dir", 0, 0, __WASI_RIGHTS_FD_READ), LOOP);
  ERR(try_open("link-dir", 0, __WASI_OFLAGS_DIRECTORY, 0), NOTDIR);
  ERR(try_open("link-file", 0, __WASI_OFLAGS_DIRECTORY, 0), NOTDIR);
  ERR(try_open("link-file", 0, __WASI_OFLAGS_CREAT, __WASI_RIGHTS_FD_WRITE),
      LOOP);
  ERR(try_open("link-file", 0, __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL,
               __WASI_RIGHTS_FD_WRITE),
      EXIST);
  ERR(try_open("link-file", 0, __WASI_OFLAGS_TRUNC, __WASI_RIGHTS_FD_WRITE),
      LOOP);
  EXPECT(holds(dir, "file", "contents"));
  /* With follow on, the same names open their targets. */
  OK(try_open("link-file", 1, 0, __WASI_RIGHTS_FD_READ));
  OK(try_open("link-dir", 1, __WASI_OFLAGS_DIRECTORY, 0));
  ERR(try_open("link-file", 1, __WASI_OFLAGS_DIRECTORY, 0), NOTDIR);
  /* Hard links: without follow the link itself gets a second name, with
   * follow its target does. */
  OK(__wasi_path_link(dir, 0, "link-file", dir, "hard-to-link"));
  EXPECT(OK(try_stat("hard-to-link", 0, &st)) &&
         st.filetype == __WASI_FILETYPE_SYMBOLIC_LINK && st.nlink == 2);
  OK(__wasi_path_link(dir, FOLLOW, "link-file", dir, "hard-to-file"));
  EXPECT(OK(try_stat("hard-to-file", 0, &st)) &&
         st.filetype == __WASI_FILETYPE_REGULAR_FILE && st.nlink == 2);
  EXPECT(OK(try_stat("file", 0, &st2)) && st.ino == st2.ino);
  /* unlink and rename act on the link, never on its target. */
  OK(__wasi_path_rename(dir, "hard-to-link", dir, "renamed-link"));
  EXPECT(reads_link("renamed-link", "file"));
  OK(__wasi_path_unlink_file(dir, "renamed-link"));
  OK(__wasi_path_unlink_file(dir, "hard-to-file"));
  EXPECT(holds(dir, "file", "contents"));
  EXPECT(OK(try_stat("link-file", 0, &st)) && st.nlink == 1);

  section("dangling symlinks");
  OK(__wasi_path_symlink("target", dir, "dangling"));
  EXPECT(OK(try_stat("dangling", 0, &st)) &&
         st.filetype == __WASI_FILETYPE_SYMBOLIC_LINK);
  ERR(try_stat("dangling", 1, NULL), NOENT);
  ERR(try_stat("dangling/", 0, NULL), NOENT);
  ERR(try_open("dangling", 1, 0, __WASI_RIGHTS_FD_READ), NOENT);
  ERR(try_open("dangling", 0, 0, __WASI_RIGHTS_FD_READ), LOOP);
  ERR(try_open("dangling", 0, __WASI_OFLAGS_DIRECTORY, 0), NOTDIR);
  ERR(try_open("dangling", 1, __WASI_OFLAGS_DIRECTORY, 0), NOENT);
  ERR(__wasi_path_link(dir, FOLLOW, "dangling", dir, "x"), NOENT);
  EXPECT(reads_link("dangling", "target"));
  /* O_EXCL refuses any existing name, dangling links included. */
  ERR(try_open("dangling", 1, __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL,
               __WASI_RIGHTS_FD_WRITE),
      EXIST);
  EXPECT(!exists(dir, "target"));
  /* O_CREAT through a dangling link creates its target, as on Linux. */
  OK(try_open("dangling", 1, __WASI_OFLAGS_CREAT, __WASI_RIGHTS_FD_WRITE));
  EXPECT(type_at(dir, "target", 0) == __WASI_FILETYPE_REGULAR_FILE);
  EXPECT(type_at(dir, "dangling", 0) == __WASI_FILETYPE_SYMBOLIC_LINK);
  OK(__wasi_path_unlink_file(dir, "target"));
  /* A dangling link can be renamed and removed like any other. */
  OK(__wasi_path_rename(dir, "dangling", dir, "dangling2"));
  EXPECT(reads_link("dangling2", "target"));
  ERR(__wasi_path_remove_directory(dir, "dangling2"), NOTDIR);
  OK(__wasi_path_unlink_file(dir, "dangling2"));
  EXPECT(!exists(dir, "dangling2"));

  section("looping symlinks");
  OK(__wasi_path_symlink("loop", dir, "loop"));
  OK(__wasi_path_symlink("loop-b", dir, "loop-a"));
  OK(__wasi_path_symlink("loop-a", dir, "loop-b"));
  ERR(try_open("loop", 1, 0, __WASI_RIGHTS_FD_READ), LOOP);
  ERR(try_open("loop", 0, 0, __WASI_RIGHTS_FD_READ), LOOP);
  ERR(try_open("loop-a", 1, 0, __WASI_RIGHTS_FD_READ), LOOP);
  ERR(try_open("loop", 1, __WASI_OFLAGS_CREAT, __WASI_RIGHTS_FD_WRITE), LOOP);
  ERR(try_open("loop/x", 1, 0, __WASI_RIGHTS_FD_READ), LOOP);
  ERR(try_stat("loop", 1, NULL), LOOP);
  ERR(try_stat("loop-b", 1, NULL), LOOP);
  ERR(try_stat("loop/", 0, NULL), LOOP);
  EXPECT(OK(try_stat("loop", 0, &st)) &&
         st.filetype == __WASI_FILETYPE_SYMBOLIC_LINK);
  ERR(__wasi_path_link(dir, FOLLOW, "loop", dir, "x"), LOOP);
  ERR(__wasi_path_create_directory(dir, "loop/x"), LOOP);
  EXPECT(reads_link("loop-a", "loop-b"));
  OK(__wasi_path_unlink_file(dir, "loop"));
  OK(__wasi_path_unlink_file(dir, "loop-a"));
  OK(__wasi_path_unlink_file(dir, "loop-b"));
  /* A long chain that is not a loop resolves; Linux gives up after 40
   * links, so a chain of 60 is ELOOP even though it ends somewhere. */
  char from[16], to[16];
  for (int i = 0; i < 60; i++) {
    snprintf(from, sizeof from, "c%02d", i);
    snprintf(to, sizeof to, i == 59 ? "file" : "c%02d", i + 1);
    MUST(__wasi_path_symlink(to, dir, from));
  }
  OK(try_open("c52", 1, 0, __WASI_RIGHTS_FD_READ));
  ERR(try_open("c00", 1, 0, __WASI_RIGHTS_FD_READ), LOOP);
  for (int i = 0; i < 60; i++) {
    snprintf(from, sizeof from, "c%02d", i);
    MUST(__wasi_path_unlink_file(dir, from));
  }

  section("symlinks leading out of the directory");
  /* A relative target is only text; following one that leaves the
   * directory handle is refused like any other escape (EPERM or
   * ENOTCAPABLE), while the link itself can be listed, read and removed. An
   * absolute target is refused when the link is made: an unconfined program
   * on the host would follow it. */
  OK(__wasi_path_symlink("../..", dir, "up"));
  ERR2(__wasi_path_symlink("/etc/passwd", dir, "abs"), PERM, NOTCAPABLE);
  ERR2(__wasi_path_symlink("/", dir, "root"), PERM, NOTCAPABLE);
  ERR(try_stat("abs", 0, &st), NOENT);
  ERR(try_stat("root", 0, &st), NOENT);
  ERR2(try_open("up", 1, __WASI_OFLAGS_DIRECTORY, 0), PERM, NOTCAPABLE);
  ERR2(try_stat("up/x", 1, NULL), PERM, NOTCAPABLE);
  EXPECT(OK(try_stat("up", 0, &st)) &&
         st.filetype == __WASI_FILETYPE_SYMBOLIC_LINK);
  EXPECT(reads_link("up", "../.."));
  /* "dir/.." is this directory, so a link to it is harmless. */
  OK(__wasi_path_symlink("dir/..", dir, "here"));
  EXPECT(OK(try_stat("here/file", 1, &st)) &&
         st.filetype == __WASI_FILETYPE_REGULAR_FILE);
  OK(__wasi_path_unlink_file(dir, "up"));
  OK(__wasi_path_unlink_file(dir, "here"));

  drop_scratch(top, "symlinks.cleanup", dir);
  return finish();
}
