/* path_rename, path_remove_directory, path_unlink_file and
 * path_create_directory: replacing files and directories, removing a
 * non-empty directory, renaming a directory into itself, and the special
 * names `.`, `..` and the empty path.
 *
 * Where POSIX leaves a choice these follow Linux: renaming or removing onto a
 * non-empty directory is ENOTEMPTY (POSIX also allows EEXIST), unlinking a
 * directory is EISDIR (POSIX: EPERM), renaming `.` or `..` is EBUSY. */
#include "spec.h"

static __wasi_fd_t dir;

static int same_file(const char *a, const char *b) {
  __wasi_filestat_t x, y;
  return __wasi_path_filestat_get(dir, NOFOLLOW, a, &x) == 0 &&
         __wasi_path_filestat_get(dir, NOFOLLOW, b, &y) == 0 &&
         x.ino == y.ino && x.dev == y.dev;
}

int main(void) {
  __wasi_fd_t top = test_dir("fs-tests.dir");
  dir = scratch(top, "rename_remove.cleanup");

  section("renaming files");
  MUST(put_file(dir, "a", "A"));
  MUST(put_file(dir, "b", "B"));
  OK(__wasi_path_rename(dir, "a", dir, "c"));
  EXPECT(!exists(dir, "a") && holds(dir, "c", "A"));
  /* An existing file is replaced in one step. */
  OK(__wasi_path_rename(dir, "c", dir, "b"));
  EXPECT(!exists(dir, "c") && holds(dir, "b", "A"));
  /* Renaming onto itself changes nothing. */
  OK(__wasi_path_rename(dir, "b", dir, "b"));
  EXPECT(holds(dir, "b", "A"));
  /* Two names of one file: POSIX says rename does nothing, and both stay. */
  MUST(__wasi_path_link(dir, 0, "b", dir, "b2"));
  OK(__wasi_path_rename(dir, "b", dir, "b2"));
  EXPECT(exists(dir, "b") && exists(dir, "b2") && same_file("b", "b2"));
  MUST(__wasi_path_unlink_file(dir, "b2"));
  ERR(__wasi_path_rename(dir, "missing", dir, "x"), NOENT);
  ERR(__wasi_path_rename(dir, "b", dir, "missing/x"), NOENT);
  ERR(__wasi_path_rename(dir, "", dir, "x"), NOENT);
  ERR(__wasi_path_rename(dir, "b", dir, ""), NOENT);
  EXPECT(holds(dir, "b", "A"));

  section("renaming directories");
  MUST(__wasi_path_create_directory(dir, "d1"));
  MUST(put_file(dir, "d1/inside", "in"));
  OK(__wasi_path_rename(dir, "d1", dir, "d2"));
  EXPECT(!exists(dir, "d1") && holds(dir, "d2/inside", "in"));
  /* Onto an empty directory: replaced. */
  MUST(__wasi_path_create_directory(dir, "empty"));
  OK(__wasi_path_rename(dir, "d2", dir, "empty"));
  EXPECT(!exists(dir, "d2") && holds(dir, "empty/inside", "in"));
  OK(__wasi_path_rename(dir, "empty", dir, "d1"));
  /* Onto a non-empty directory: refused. */
  MUST(__wasi_path_create_directory(dir, "full"));
  MUST(put_file(dir, "full/x", "x"));
  ERR(__wasi_path_rename(dir, "d1", dir, "full"), NOTEMPTY);
  EXPECT(holds(dir, "d1/inside", "in") && holds(dir, "full/x", "x"));
  /* File onto directory and directory onto file. */
  ERR(__wasi_path_rename(dir, "b", dir, "d1"), ISDIR);
  ERR(__wasi_path_rename(dir, "d1", dir, "b"), NOTDIR);
  /* Into itself. */
  ERR(__wasi_path_rename(dir, "d1", dir, "d1/sub"), INVAL);
  ERR(__wasi_path_rename(dir, "d1", dir, "d1/sub/deeper"), NOENT);
  EXPECT(holds(dir, "d1/inside", "in"));
  /* With trailing slashes on either name. */
  OK(__wasi_path_rename(dir, "d1/", dir, "d3"));
  OK(__wasi_path_rename(dir, "d3", dir, "d4/"));
  OK(__wasi_path_rename(dir, "d4/", dir, "d1/"));
  EXPECT(holds(dir, "d1/inside", "in"));
  /* `.` and `..` cannot be renamed, nor renamed onto. */
  ERR(__wasi_path_rename(dir, ".", dir, "x"), BUSY);
  ERR(__wasi_path_rename(dir, "d1/..", dir, "x"), BUSY);
  ERR(__wasi_path_rename(dir, "b", dir, "."), BUSY);
  ERR(__wasi_path_rename(dir, "b", dir, "d1/.."), BUSY);
  EXPECT(holds(dir, "b", "A"));

  section("renaming across directory handles");
  __wasi_fd_t sub;
  MUST(open_dir_at(dir, "full", &sub));
  OK(__wasi_path_rename(dir, "b", sub, "moved"));
  EXPECT(!exists(dir, "b") && holds(dir, "full/moved", "A"));
  OK(__wasi_path_rename(sub, "moved", dir, "b"));
  EXPECT(holds(dir, "b", "A") && !exists(sub, "moved"));
  OK(__wasi_path_rename(dir, "d1", sub, "d1"));
  EXPECT(holds(sub, "d1/inside", "in"));
  OK(__wasi_path_rename(sub, "d1", dir, "d1"));
  OK(__wasi_fd_close(sub));

  section("removing a non-empty directory");
  ERR(__wasi_path_remove_directory(dir, "full"), NOTEMPTY);
  ERR(__wasi_path_remove_directory(dir, "full/"), NOTEMPTY);
  EXPECT(holds(dir, "full/x", "x"));
  MUST(__wasi_path_create_directory(dir, "full/nested"));
  OK(__wasi_path_unlink_file(dir, "full/x"));
  ERR(__wasi_path_remove_directory(dir, "full"), NOTEMPTY);
  OK(__wasi_path_remove_directory(dir, "full/nested"));
  OK(__wasi_path_remove_directory(dir, "full"));
  EXPECT(!exists(dir, "full"));

  section("removing special names");
  /* rmdir of a path ending in `.` is EINVAL. One ending in `..` must fail
   * too, but POSIX names no errno for it: Linux says ENOTEMPTY, others
   * EINVAL as for `.`; both are accepted. */
  ERR(__wasi_path_remove_directory(dir, "."), INVAL);
  ERR(__wasi_path_remove_directory(dir, "d1/."), INVAL);
  ERR2(__wasi_path_remove_directory(dir, "d1/.."), NOTEMPTY, INVAL);
  EXPECT(exists(dir, "d1/inside"));
  ERR(__wasi_path_remove_directory(dir, ""), NOENT);
  ERR(__wasi_path_remove_directory(dir, "missing"), NOENT);
  ERR(__wasi_path_remove_directory(dir, "b"), NOTDIR);
  ERR(__wasi_path_unlink_file(dir, "."), ISDIR);
  ERR(__wasi_path_unlink_file(dir, "d1"), ISDIR);
  ERR(__wasi_path_unlink_file(dir, ""), NOENT);
  ERR(__wasi_path_unlink_file(dir, "missing"), NOENT);
  ERR(__wasi_path_unlink_file(dir, "missing/x"), NOENT);
  EXPECT(exists(dir, "d1") && exists(dir, "b"));

  section("creating directories");
  OK(__wasi_path_create_directory(dir, "new"));
  EXPECT(type_at(dir, "new", 0) == __WASI_FILETYPE_DIRECTORY);
  ERR(__wasi_path_create_directory(dir, "new"), EXIST);
  ERR(__wasi_path_create_directory(dir, "b"), EXIST);
  ERR(__wasi_path_create_directory(dir, "."), EXIST);
  ERR(__wasi_path_create_directory(dir, ""), NOENT);
  ERR(__wasi_path_create_directory(dir, "missing/new"), NOENT);
  ERR(__wasi_path_create_directory(dir, "b/new"), NOTDIR);
  OK(__wasi_path_create_directory(dir, "new/nested"));
  OK(__wasi_path_remove_directory(dir, "new/nested"));
  OK(__wasi_path_remove_directory(dir, "new"));

  drop_scratch(top, "rename_remove.cleanup", dir);
  return finish();
}
