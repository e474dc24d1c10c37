/* Directory and name operations: path_create_directory,
 * path_remove_directory, path_unlink_file and path_rename, including the
 * errors POSIX fixes for each and trailing slashes. The sandbox is fd 3.
 * The host checks the tree the guest leaves behind. */
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wasi/api.h>

#include "fsutil.h"

static __wasi_filetype_t type_of(const char *path) {
  __wasi_filestat_t st;
  __wasi_errno_t e = __wasi_path_filestat_get(SANDBOX, 0, path, &st);
  if (e == __WASI_ERRNO_NOENT) return 0xff;
  CHECK_ERRNO(e, __WASI_ERRNO_SUCCESS);
  return st.filetype;
}

#define GONE 0xff

static void test_mkdir(void) {
  CHECK_ERRNO(__wasi_path_create_directory(SANDBOX, "d"), __WASI_ERRNO_SUCCESS);
  CHECK(type_of("d") == __WASI_FILETYPE_DIRECTORY);
  CHECK_ERRNO(__wasi_path_create_directory(SANDBOX, "d"), __WASI_ERRNO_EXIST);
  CHECK_ERRNO(__wasi_path_create_directory(SANDBOX, "d/e"),
              __WASI_ERRNO_SUCCESS);
  /* mkdir("x/") works as on Linux. */
  CHECK_ERRNO(__wasi_path_create_directory(SANDBOX, "slash/"),
              __WASI_ERRNO_SUCCESS);
  CHECK(type_of("slash") == __WASI_FILETYPE_DIRECTORY);
  CHECK_ERRNO(__wasi_path_create_directory(SANDBOX, "no/such"),
              __WASI_ERRNO_NOENT);
  put("file", "F");
  CHECK_ERRNO(__wasi_path_create_directory(SANDBOX, "file"),
              __WASI_ERRNO_EXIST);
  CHECK_ERRNO(__wasi_path_create_directory(SANDBOX, "file/d"),
              __WASI_ERRNO_NOTDIR);
  /* A name taken by a symlink, even a dangling one, is taken. */
  CHECK_ERRNO(__wasi_path_symlink("nowhere", SANDBOX, "dangling"),
              __WASI_ERRNO_SUCCESS);
  CHECK_ERRNO(__wasi_path_create_directory(SANDBOX, "dangling"),
              __WASI_ERRNO_EXIST);
  CHECK_ERRNO(__wasi_path_create_directory(SANDBOX, "."), __WASI_ERRNO_EXIST);
  CHECK_ERRNO(__wasi_path_create_directory(SANDBOX, ""), __WASI_ERRNO_NOENT);
  /* wasi-libc's mkdir reaches the same call. */
  CHECK(mkdir("/sandbox/libc", 0755) == 0);
  CHECK(mkdir("/sandbox/libc", 0755) == -1 && errno == EEXIST);
  OK("path_create_directory");
}

static void test_rmdir(void) {
  put("d/e/inner", "I");
  CHECK_ERRNO(__wasi_path_remove_directory(SANDBOX, "d"),
              __WASI_ERRNO_NOTEMPTY);
  CHECK_ERRNO(__wasi_path_remove_directory(SANDBOX, "d/e"),
              __WASI_ERRNO_NOTEMPTY);
  CHECK_ERRNO(__wasi_path_remove_directory(SANDBOX, "file"),
              __WASI_ERRNO_NOTDIR);
  CHECK_ERRNO(__wasi_path_remove_directory(SANDBOX, "d/e/inner"),
              __WASI_ERRNO_NOTDIR);
  CHECK_ERRNO(__wasi_path_remove_directory(SANDBOX, "missing"),
              __WASI_ERRNO_NOENT);
  /* A symlink is not a directory, even when it points at one. */
  CHECK_ERRNO(__wasi_path_symlink("d", SANDBOX, "dlink"), __WASI_ERRNO_SUCCESS);
  CHECK_ERRNO(__wasi_path_remove_directory(SANDBOX, "dlink"),
              __WASI_ERRNO_NOTDIR);
  CHECK(type_of("d") == __WASI_FILETYPE_DIRECTORY);
  CHECK(type_of("d/e/inner") == __WASI_FILETYPE_REGULAR_FILE);

  CHECK_ERRNO(__wasi_path_create_directory(SANDBOX, "empty"),
              __WASI_ERRNO_SUCCESS);
  CHECK_ERRNO(__wasi_path_remove_directory(SANDBOX, "empty"),
              __WASI_ERRNO_SUCCESS);
  CHECK(type_of("empty") == GONE);
  CHECK_ERRNO(__wasi_path_remove_directory(SANDBOX, "empty"),
              __WASI_ERRNO_NOENT);
  /* rmdir("x/") removes x, as on Linux (some runtimes answer EINVAL here
   * because they split off "." as the last component). */
  CHECK_ERRNO(__wasi_path_remove_directory(SANDBOX, "slash/"),
              __WASI_ERRNO_SUCCESS);
  CHECK(type_of("slash") == GONE);
  CHECK(rmdir("/sandbox/libc") == 0);
  CHECK(rmdir("/sandbox/libc") == -1 && errno == ENOENT);
  OK("path_remove_directory");
}

static void test_unlink(void) {
  put("victim", "V");
  CHECK_ERRNO(__wasi_path_unlink_file(SANDBOX, "victim/"),
              __WASI_ERRNO_NOTDIR);
  CHECK_ERRNO(__wasi_path_unlink_file(SANDBOX, "victim"),
              __WASI_ERRNO_SUCCESS);
  CHECK(type_of("victim") == GONE);
  CHECK_ERRNO(__wasi_path_unlink_file(SANDBOX, "victim"), __WASI_ERRNO_NOENT);
  CHECK_ERRNO(__wasi_path_unlink_file(SANDBOX, "d"), __WASI_ERRNO_ISDIR);
  CHECK_ERRNO(__wasi_path_unlink_file(SANDBOX, "d/"), __WASI_ERRNO_ISDIR);
  CHECK_ERRNO(__wasi_path_unlink_file(SANDBOX, "file/x"), __WASI_ERRNO_NOTDIR);
  CHECK(type_of("d") == __WASI_FILETYPE_DIRECTORY);

  /* Unlinking a symlink removes the link, never its target. */
  CHECK_ERRNO(__wasi_path_unlink_file(SANDBOX, "dlink"), __WASI_ERRNO_SUCCESS);
  CHECK(type_of("dlink") == GONE);
  CHECK(type_of("d") == __WASI_FILETYPE_DIRECTORY);
  CHECK_ERRNO(__wasi_path_unlink_file(SANDBOX, "dangling"),
              __WASI_ERRNO_SUCCESS);
  CHECK(type_of("dangling") == GONE);

  /* An open file outlives its name. */
  put("open", "still here");
  __wasi_fd_t fd;
  CHECK_ERRNO(__wasi_path_open(SANDBOX, FOLLOW, "open", 0,
                               __WASI_RIGHTS_FD_READ, 0, 0, &fd),
              __WASI_ERRNO_SUCCESS);
  CHECK_ERRNO(__wasi_path_unlink_file(SANDBOX, "open"), __WASI_ERRNO_SUCCESS);
  char buf[16];
  __wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf};
  __wasi_size_t n;
  CHECK_ERRNO(__wasi_fd_read(fd, &iov, 1, &n), __WASI_ERRNO_SUCCESS);
  CHECK(n == 10 && memcmp(buf, "still here", 10) == 0);
  CHECK_ERRNO(__wasi_fd_close(fd), __WASI_ERRNO_SUCCESS);

  put("libc", "L");
  CHECK(unlink("/sandbox/libc") == 0);
  CHECK(unlink("/sandbox/libc") == -1 && errno == ENOENT);
  OK("path_unlink_file");
}

static void test_rename(void) {
  /* Files: a plain move, then replacing an existing file. */
  put("a", "A");
  put("b", "B");
  CHECK_ERRNO(__wasi_path_rename(SANDBOX, "a", SANDBOX, "a2"),
              __WASI_ERRNO_SUCCESS);
  CHECK(type_of("a") == GONE && holds("a2", "A"));
  CHECK_ERRNO(__wasi_path_rename(SANDBOX, "a2", SANDBOX, "b"),
              __WASI_ERRNO_SUCCESS);
  CHECK(type_of("a2") == GONE && holds("b", "A"));
  /* Renaming onto itself is a no-op. */
  CHECK_ERRNO(__wasi_path_rename(SANDBOX, "b", SANDBOX, "b"),
              __WASI_ERRNO_SUCCESS);
  CHECK(holds("b", "A"));
  /* Into a subdirectory. */
  CHECK_ERRNO(__wasi_path_rename(SANDBOX, "b", SANDBOX, "d/b"),
              __WASI_ERRNO_SUCCESS);
  CHECK(holds("d/b", "A"));
  CHECK_ERRNO(__wasi_path_rename(SANDBOX, "missing", SANDBOX, "x"),
              __WASI_ERRNO_NOENT);
  CHECK_ERRNO(__wasi_path_rename(SANDBOX, "d/b", SANDBOX, "no/such"),
              __WASI_ERRNO_NOENT);

  /* Directories: move, then onto an empty directory, which is replaced. */
  CHECK_ERRNO(__wasi_path_create_directory(SANDBOX, "m"), __WASI_ERRNO_SUCCESS);
  put("m/inside", "M");
  CHECK_ERRNO(__wasi_path_rename(SANDBOX, "m", SANDBOX, "m2"),
              __WASI_ERRNO_SUCCESS);
  CHECK(type_of("m") == GONE && holds("m2/inside", "M"));
  CHECK_ERRNO(__wasi_path_create_directory(SANDBOX, "hole"),
              __WASI_ERRNO_SUCCESS);
  CHECK_ERRNO(__wasi_path_rename(SANDBOX, "m2", SANDBOX, "hole"),
              __WASI_ERRNO_SUCCESS);
  CHECK(type_of("m2") == GONE && holds("hole/inside", "M"));
  /* Onto a non-empty directory. */
  CHECK_ERRNO(__wasi_path_rename(SANDBOX, "hole", SANDBOX, "d"),
              __WASI_ERRNO_NOTEMPTY);
  /* File onto directory, directory onto file. */
  CHECK_ERRNO(__wasi_path_rename(SANDBOX, "file", SANDBOX, "hole"),
              __WASI_ERRNO_ISDIR);
  CHECK_ERRNO(__wasi_path_rename(SANDBOX, "hole", SANDBOX, "file"),
              __WASI_ERRNO_NOTDIR);
  /* A directory into its own subtree. */
  CHECK_ERRNO(__wasi_path_rename(SANDBOX, "d", SANDBOX, "d/e/d"),
              __WASI_ERRNO_INVAL);
  CHECK(holds("file", "F") && holds("hole/inside", "M"));
  CHECK(holds("d/b", "A") && holds("d/e/inner", "I"));

  /* Trailing slashes: fine on directories, on either side. */
  CHECK_ERRNO(__wasi_path_rename(SANDBOX, "hole/", SANDBOX, "moved/"),
              __WASI_ERRNO_SUCCESS);
  CHECK(holds("moved/inside", "M"));
  CHECK_ERRNO(__wasi_path_rename(SANDBOX, "moved/", SANDBOX, "hole"),
              __WASI_ERRNO_SUCCESS);
  CHECK_ERRNO(__wasi_path_rename(SANDBOX, "hole", SANDBOX, "moved/"),
              __WASI_ERRNO_SUCCESS);
  CHECK(holds("moved/inside", "M"));
  /* ... and never on a file, on either side. */
  CHECK_ERRNO(__wasi_path_rename(SANDBOX, "file/", SANDBOX, "file2"),
              __WASI_ERRNO_NOTDIR);
  CHECK_ERRNO(__wasi_path_rename(SANDBOX, "file", SANDBOX, "file2/"),
              __WASI_ERRNO_NOTDIR);
  CHECK(holds("file", "F") && type_of("file2") == GONE);

  /* Renaming a symlink moves the link, not what it points at. */
  CHECK_ERRNO(__wasi_path_symlink("file", SANDBOX, "flink"),
              __WASI_ERRNO_SUCCESS);
  CHECK_ERRNO(__wasi_path_rename(SANDBOX, "flink", SANDBOX, "flink2"),
              __WASI_ERRNO_SUCCESS);
  CHECK(type_of("flink2") == __WASI_FILETYPE_SYMBOLIC_LINK);
  CHECK(type_of("flink") == GONE && holds("file", "F"));

  /* Between two handles on the same tree. */
  __wasi_fd_t d;
  CHECK_ERRNO(__wasi_path_open(SANDBOX, FOLLOW, "d", __WASI_OFLAGS_DIRECTORY,
                               __WASI_RIGHTS_PATH_RENAME_SOURCE |
                                   __WASI_RIGHTS_PATH_RENAME_TARGET |
                                   __WASI_RIGHTS_PATH_OPEN,
                               0, 0, &d),
              __WASI_ERRNO_SUCCESS);
  CHECK_ERRNO(__wasi_path_rename(SANDBOX, "file", d, "file"),
              __WASI_ERRNO_SUCCESS);
  CHECK(holds("d/file", "F") && type_of("file") == GONE);
  CHECK_ERRNO(__wasi_path_rename(d, "file", SANDBOX, "file"),
              __WASI_ERRNO_SUCCESS);
  CHECK_ERRNO(__wasi_fd_close(d), __WASI_ERRNO_SUCCESS);

  CHECK(rename("/sandbox/file", "/sandbox/libc") == 0);
  CHECK(rename("/sandbox/libc", "/sandbox/file") == 0);
  CHECK(rename("/sandbox/libc", "/sandbox/x") == -1 && errno == ENOENT);
  OK("path_rename");
}

int main(void) {
  test_mkdir();
  test_rmdir();
  test_unlink();
  test_rename();
  OK("fs_dirs");
  return 0;
}
