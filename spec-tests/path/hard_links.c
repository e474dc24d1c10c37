/* path_link: a second name for a file, link counts, one file seen through
 * both names, the errors for existing, missing and directory names, and
 * links between two directory handles.
 *
 * Linux refuses a hard link to a directory with EPERM (POSIX allows the
 * call to be supported or fail with EPERM). */
#include "spec.h"

static __wasi_fd_t dir;

static __wasi_filestat_t lstat_of(__wasi_fd_t at, const char *path) {
  __wasi_filestat_t st;
  memset(&st, 0, sizeof st);
  if (__wasi_path_filestat_get(at, NOFOLLOW, path, &st) != 0) st.nlink = 0;
  return st;
}

int main(void) {
  __wasi_fd_t top = test_dir("fs-tests.dir");
  dir = scratch(top, "hard_links.cleanup");
  MUST(put_file(dir, "orig", "shared"));
  MUST(__wasi_path_create_directory(dir, "sub"));

  section("a second name for one file");
  EXPECT(lstat_of(dir, "orig").nlink == 1);
  OK(__wasi_path_link(dir, 0, "orig", dir, "alias"));
  __wasi_filestat_t a = lstat_of(dir, "orig"), b = lstat_of(dir, "alias");
  EXPECT(a.ino == b.ino && a.dev == b.dev);
  EXPECT(a.nlink == 2 && b.nlink == 2);
  EXPECT(b.filetype == __WASI_FILETYPE_REGULAR_FILE && b.size == 6);
  /* A write through one name shows through the other. */
  MUST(put_file(dir, "alias", "changed"));
  EXPECT(holds(dir, "orig", "changed"));
  /* Removing one name leaves the file to the other. */
  OK(__wasi_path_unlink_file(dir, "orig"));
  EXPECT(holds(dir, "alias", "changed") && lstat_of(dir, "alias").nlink == 1);
  OK(__wasi_path_link(dir, 0, "alias", dir, "orig"));
  EXPECT(lstat_of(dir, "orig").nlink == 2);

  section("linking between directory handles");
  __wasi_fd_t sub;
  MUST(open_dir_at(dir, "sub", &sub));
  OK(__wasi_path_link(dir, 0, "orig", sub, "deep"));
  EXPECT(holds(dir, "sub/deep", "changed"));
  EXPECT(lstat_of(dir, "orig").nlink == 3);
  EXPECT(lstat_of(sub, "deep").ino == lstat_of(dir, "orig").ino);
  OK(__wasi_path_link(sub, 0, "deep", dir, "back"));
  EXPECT(lstat_of(dir, "back").nlink == 4);
  OK(__wasi_path_unlink_file(sub, "deep"));
  OK(__wasi_path_unlink_file(dir, "back"));
  EXPECT(lstat_of(dir, "orig").nlink == 2);
  OK(__wasi_fd_close(sub));

  section("path_link errors");
  MUST(put_file(dir, "other", "other"));
  ERR(__wasi_path_link(dir, 0, "orig", dir, "other"), EXIST);
  ERR(__wasi_path_link(dir, 0, "orig", dir, "orig"), EXIST);
  ERR(__wasi_path_link(dir, 0, "orig", dir, "sub"), EXIST);
  EXPECT(holds(dir, "other", "other"));
  ERR(__wasi_path_link(dir, 0, "missing", dir, "x"), NOENT);
  ERR(__wasi_path_link(dir, 0, "orig", dir, "missing/x"), NOENT);
  ERR(__wasi_path_link(dir, 0, "orig/x", dir, "x"), NOTDIR);
  ERR(__wasi_path_link(dir, 0, "orig", dir, "other/x"), NOTDIR);
  ERR(__wasi_path_link(dir, 0, "", dir, "x"), NOENT);
  ERR(__wasi_path_link(dir, 0, "orig", dir, ""), NOENT);
  ERR(__wasi_path_link(dir, 0, "sub", dir, "x"), PERM);
  ERR(__wasi_path_link(dir, 0, ".", dir, "x"), PERM);
  EXPECT(!exists(dir, "x"));
  /* Lookup flags other than SYMLINK_FOLLOW are not defined. */
  ERR(__wasi_path_link(dir, 2, "orig", dir, "x"), INVAL);
  EXPECT(!exists(dir, "x"));
  /* Neither side may leave its directory handle. */
  ERR2(__wasi_path_link(dir, 0, "../../x", dir, "x"), PERM, NOTCAPABLE);
  ERR2(__wasi_path_link(dir, 0, "orig", dir, "../../x"), PERM, NOTCAPABLE);
  ERR2(__wasi_path_link(dir, 0, "/orig", dir, "x"), PERM, NOTCAPABLE);
  /* A descriptor that is not a directory cannot be either side. */
  __wasi_fd_t file;
  MUST(__wasi_path_open(dir, FOLLOW, "orig", 0, __WASI_RIGHTS_FD_READ, 0, 0,
                        &file));
  ERR(__wasi_path_link(file, 0, "orig", dir, "x"), NOTDIR);
  ERR(__wasi_path_link(dir, 0, "orig", file, "x"), NOTDIR);
  OK(__wasi_fd_close(file));
  ERR(__wasi_path_link(file, 0, "orig", dir, "x"), BADF);
  EXPECT(lstat_of(dir, "orig").nlink == 2);

  section("link counts");
  /* An open descriptor sees the count change under it. */
  MUST(__wasi_path_open(dir, FOLLOW, "other", 0,
                        __WASI_RIGHTS_FD_FILESTAT_GET, 0, 0, &file));
  __wasi_filestat_t st;
  EXPECT(OK(__wasi_fd_filestat_get(file, &st)) && st.nlink == 1);
  MUST(__wasi_path_link(dir, 0, "other", dir, "other2"));
  EXPECT(OK(__wasi_fd_filestat_get(file, &st)) && st.nlink == 2);
  MUST(__wasi_path_unlink_file(dir, "other"));
  MUST(__wasi_path_unlink_file(dir, "other2"));
  /* Unlinked while open: the file lives on with no names. */
  EXPECT(OK(__wasi_fd_filestat_get(file, &st)) && st.nlink == 0 &&
         st.size == 5);
  OK(__wasi_fd_close(file));

  drop_scratch(top, "hard_links.cleanup", dir);
  return finish();
}
