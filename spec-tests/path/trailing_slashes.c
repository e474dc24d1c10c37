/* Trailing slashes on every path operation: open, stat, rename, unlink,
 * rmdir, symlink and link, each against a file, a directory, a symlink to
 * each, and a dangling symlink.
 *
 * POSIX says a trailing slash makes a name resolve as a directory, following
 * a symlink in the last component even where the call otherwise would not.
 * Runtimes disagree on the errno for the failing cases (some strip the slash,
 * some report ENOENT for everything); these expectations are what Linux
 * returns for the same calls on a local filesystem. */
#include "spec.h"

static __wasi_fd_t dir;

#define RO __WASI_RIGHTS_FD_READ

/* Opens and closes `path`; the errno of the open. */
static __wasi_errno_t try_open(const char *path, int follow,
                               __wasi_oflags_t oflags, __wasi_rights_t rights) {
  __wasi_fd_t fd;
  __wasi_errno_t e = __wasi_path_open(dir, follow ? FOLLOW : NOFOLLOW, path,
                                      oflags, rights, 0, 0, &fd);
  if (e == 0) e = __wasi_fd_close(fd);
  return e;
}

static __wasi_errno_t try_stat(const char *path, int follow,
                               __wasi_filetype_t *type) {
  __wasi_filestat_t st;
  __wasi_errno_t e =
      __wasi_path_filestat_get(dir, follow ? FOLLOW : NOFOLLOW, path, &st);
  if (e == 0 && type) *type = st.filetype;
  return e;
}

/* The names every section starts from. */
static void setup(void) {
  MUST(put_file(dir, "file", "data"));
  MUST(__wasi_path_create_directory(dir, "dir"));
  MUST(__wasi_path_symlink("file", dir, "link-file"));
  MUST(__wasi_path_symlink("dir", dir, "link-dir"));
  MUST(__wasi_path_symlink("none", dir, "link-none"));
}

int main(void) {
  __wasi_fd_t top = test_dir("fs-tests.dir");
  dir = scratch(top, "trailing_slashes.cleanup");
  setup();
  __wasi_filetype_t type = 0;

  section("path_open with a trailing slash");
  ERR(try_open("file/", 1, 0, RO), NOTDIR);
  ERR(try_open("file/", 0, 0, RO), NOTDIR);
  OK(try_open("dir/", 0, 0, RO));
  OK(try_open("dir/", 0, __WASI_OFLAGS_DIRECTORY, RO));
  /* The slash follows the link even without LOOKUP_SYMLINK_FOLLOW. */
  OK(try_open("link-dir/", 0, __WASI_OFLAGS_DIRECTORY, RO));
  OK(try_open("link-dir/", 1, __WASI_OFLAGS_DIRECTORY, RO));
  ERR(try_open("link-file/", 1, 0, RO), NOTDIR);
  ERR(try_open("link-file/", 0, 0, RO), NOTDIR);
  ERR(try_open("link-none/", 1, 0, RO), NOENT);
  ERR(try_open("missing/", 1, 0, RO), NOENT);
  /* O_CREAT with a trailing slash is EISDIR on Linux, whatever is there:
   * only a directory could have that name, and open never creates one. */
  ERR(try_open("new/", 1, __WASI_OFLAGS_CREAT, __WASI_RIGHTS_FD_WRITE), ISDIR);
  EXPECT(!exists(dir, "new"));
  ERR(try_open("file/", 1, __WASI_OFLAGS_CREAT, __WASI_RIGHTS_FD_WRITE), ISDIR);
  ERR(try_open("dir/", 1, __WASI_OFLAGS_CREAT, RO), ISDIR);

  section("path_filestat_get with a trailing slash");
  ERR(try_stat("file/", 1, &type), NOTDIR);
  ERR(try_stat("file/", 0, &type), NOTDIR);
  type = 0;
  EXPECT(OK(try_stat("dir/", 0, &type)) && type == __WASI_FILETYPE_DIRECTORY);
  type = 0;
  EXPECT(OK(try_stat("link-dir/", 0, &type)) &&
         type == __WASI_FILETYPE_DIRECTORY);
  type = 0;
  EXPECT(OK(try_stat("link-dir", 0, &type)) &&
         type == __WASI_FILETYPE_SYMBOLIC_LINK);
  ERR(try_stat("link-file/", 0, &type), NOTDIR);
  ERR(try_stat("link-file/", 1, &type), NOTDIR);
  ERR(try_stat("link-none/", 0, &type), NOENT);

  section("path_rename with a trailing slash");
  ERR(__wasi_path_rename(dir, "file/", dir, "x"), NOTDIR);
  ERR(__wasi_path_rename(dir, "file", dir, "x/"), NOTDIR);
  ERR(__wasi_path_rename(dir, "file", dir, "dir/"), NOTDIR);
  ERR(__wasi_path_rename(dir, "link-file/", dir, "x"), NOTDIR);
  /* rename never follows a symlink in the last component, so a slash after
   * a link names something that is not a directory. */
  ERR(__wasi_path_rename(dir, "link-dir/", dir, "x"), NOTDIR);
  ERR(__wasi_path_rename(dir, "dir", dir, "link-dir/"), NOTDIR);
  EXPECT(holds(dir, "file", "data") && !exists(dir, "x"));
  EXPECT(type_at(dir, "link-dir", 0) == __WASI_FILETYPE_SYMBOLIC_LINK);
  /* A directory may carry slashes on either side. */
  OK(__wasi_path_rename(dir, "dir/", dir, "dir2"));
  OK(__wasi_path_rename(dir, "dir2", dir, "dir3/"));
  OK(__wasi_path_rename(dir, "dir3/", dir, "dir/"));
  EXPECT(type_at(dir, "dir", 0) == __WASI_FILETYPE_DIRECTORY);
  EXPECT(!exists(dir, "dir2") && !exists(dir, "dir3"));

  section("path_unlink_file with a trailing slash");
  ERR(__wasi_path_unlink_file(dir, "file/"), NOTDIR);
  ERR(__wasi_path_unlink_file(dir, "link-file/"), NOTDIR);
  /* Linux unlinks the last component without following it and answers
   * ENOTDIR for a slash after a symlink. POSIX resolves the slash through
   * the link first, which names a directory (EISDIR, Linux's errno for
   * unlinking one) or nothing (ENOENT); both readings are accepted. */
  ERR2(__wasi_path_unlink_file(dir, "link-dir/"), NOTDIR, ISDIR);
  ERR2(__wasi_path_unlink_file(dir, "link-none/"), NOTDIR, NOENT);
  /* Linux answers EISDIR for a directory where POSIX allows EPERM. */
  ERR(__wasi_path_unlink_file(dir, "dir/"), ISDIR);
  ERR(__wasi_path_unlink_file(dir, "dir"), ISDIR);
  EXPECT(exists(dir, "file") && exists(dir, "link-file") &&
         exists(dir, "link-dir") && exists(dir, "link-none"));
  OK(__wasi_path_unlink_file(dir, "link-none"));
  OK(__wasi_path_symlink("none", dir, "link-none"));

  section("path_remove_directory with a trailing slash");
  ERR(__wasi_path_remove_directory(dir, "file/"), NOTDIR);
  ERR(__wasi_path_remove_directory(dir, "file"), NOTDIR);
  /* rmdir does not follow a symlink, slash or not. */
  ERR(__wasi_path_remove_directory(dir, "link-dir/"), NOTDIR);
  ERR(__wasi_path_remove_directory(dir, "link-dir"), NOTDIR);
  ERR(__wasi_path_remove_directory(dir, "link-none/"), NOTDIR);
  ERR(__wasi_path_remove_directory(dir, "missing/"), NOENT);
  EXPECT(type_at(dir, "dir", 0) == __WASI_FILETYPE_DIRECTORY);
  OK(__wasi_path_remove_directory(dir, "dir/"));
  EXPECT(!exists(dir, "dir"));
  OK(__wasi_path_create_directory(dir, "dir/"));
  EXPECT(type_at(dir, "dir", 0) == __WASI_FILETYPE_DIRECTORY);
  ERR(__wasi_path_create_directory(dir, "file/"), EXIST);

  section("path_symlink with a trailing slash");
  /* A new link's own name may not end in a slash: it would have to be a
   * directory. */
  ERR(__wasi_path_symlink("file", dir, "new/"), NOENT);
  EXPECT(!exists(dir, "new"));
  /* An existing name: EEXIST on Linux. POSIX also allows ENOTDIR for a
   * slash after a non-directory, which is what the official suite expects
   * on Unix; either is accepted. */
  ERR2(__wasi_path_symlink("file", dir, "file/"), EXIST, NOTDIR);
  ERR(__wasi_path_symlink("file", dir, "dir/"), EXIST);
  /* A slash after a dangling link: Linux sees the existing link (EEXIST);
   * resolving the slash through it, as POSIX does, finds nothing (ENOENT). */
  ERR2(__wasi_path_symlink("file", dir, "link-none/"), EXIST, NOENT);
  /* The target is only text: a slash in it is stored as written. */
  OK(__wasi_path_symlink("dir/", dir, "to-dir-slash"));
  EXPECT(type_at(dir, "to-dir-slash", 1) == __WASI_FILETYPE_DIRECTORY);
  OK(__wasi_path_symlink("file/", dir, "to-file-slash"));
  ERR(try_stat("to-file-slash", 1, &type), NOTDIR);
  char target[16];
  __wasi_size_t n = 0;
  OK(__wasi_path_readlink(dir, "to-file-slash", (uint8_t *)target,
                          sizeof target, &n));
  EXPECT(n == 5 && memcmp(target, "file/", 5) == 0);
  OK(__wasi_path_unlink_file(dir, "to-dir-slash"));
  OK(__wasi_path_unlink_file(dir, "to-file-slash"));

  section("path_link with a trailing slash");
  ERR(__wasi_path_link(dir, 0, "file/", dir, "x"), NOTDIR);
  ERR(__wasi_path_link(dir, 0, "link-file/", dir, "x"), NOTDIR);
  ERR(__wasi_path_link(dir, 0, "file", dir, "x/"), NOENT);
  ERR(__wasi_path_link(dir, 0, "file", dir, "dir/"), EXIST);
  /* As for path_symlink: EEXIST on Linux, ENOENT if the slash is
   * resolved through the dangling link first. */
  ERR2(__wasi_path_link(dir, 0, "file", dir, "link-none/"), EXIST, NOENT);
  /* Linux never hard-links a directory, however it is named. */
  ERR(__wasi_path_link(dir, 0, "dir/", dir, "x"), PERM);
  ERR(__wasi_path_link(dir, 0, "link-dir/", dir, "x"), PERM);
  EXPECT(!exists(dir, "x"));

  drop_scratch(top, "trailing_slashes.cleanup", dir);
  return finish();
}
