/* Preopens and descriptor numbers: fd_prestat_get and fd_prestat_dir_name,
 * the rights a preopened directory carries, fd_renumber between files,
 * renumbering a file and then a directory over a preopen, closing a preopen,
 * and every call on a closed number.
 *
 * fd_renumber works like dup2(2) followed by close(2) of the source: the
 * target number names the moved descriptor afterwards. That descriptor was
 * never a preopen, so fd_prestat_get on the number answers EBADF. */
#include "spec.h"

static __wasi_fd_t dir;

/* The rights every preopened directory must carry for wasi-libc and the
 * usual language runtimes to work in it. */
#define DIR_BASE                                                              \
  (__WASI_RIGHTS_PATH_CREATE_DIRECTORY | __WASI_RIGHTS_PATH_CREATE_FILE |     \
   __WASI_RIGHTS_PATH_LINK_SOURCE | __WASI_RIGHTS_PATH_LINK_TARGET |          \
   __WASI_RIGHTS_PATH_OPEN | __WASI_RIGHTS_FD_READDIR |                       \
   __WASI_RIGHTS_PATH_READLINK | __WASI_RIGHTS_PATH_RENAME_SOURCE |           \
   __WASI_RIGHTS_PATH_RENAME_TARGET | __WASI_RIGHTS_PATH_SYMLINK |            \
   __WASI_RIGHTS_PATH_REMOVE_DIRECTORY | __WASI_RIGHTS_PATH_UNLINK_FILE |     \
   __WASI_RIGHTS_PATH_FILESTAT_GET | __WASI_RIGHTS_PATH_FILESTAT_SET_TIMES |  \
   __WASI_RIGHTS_FD_FILESTAT_GET | __WASI_RIGHTS_FD_FILESTAT_SET_TIMES)
#define DIR_INHERITING                                                        \
  (DIR_BASE | __WASI_RIGHTS_FD_DATASYNC | __WASI_RIGHTS_FD_READ |             \
   __WASI_RIGHTS_FD_SEEK | __WASI_RIGHTS_FD_FDSTAT_SET_FLAGS |                \
   __WASI_RIGHTS_FD_SYNC | __WASI_RIGHTS_FD_TELL | __WASI_RIGHTS_FD_WRITE |   \
   __WASI_RIGHTS_FD_ADVISE | __WASI_RIGHTS_FD_ALLOCATE |                      \
   __WASI_RIGHTS_FD_FILESTAT_SET_SIZE | __WASI_RIGHTS_POLL_FD_READWRITE)

static __wasi_filestat_t stat_fd(__wasi_fd_t fd) {
  __wasi_filestat_t st;
  memset(&st, 0, sizeof st);
  OK(__wasi_fd_filestat_get(fd, &st));
  return st;
}

static __wasi_fd_t open_file(const char *path, __wasi_rights_t rights,
                             __wasi_fdflags_t flags) {
  __wasi_fd_t fd = 0;
  MUST(__wasi_path_open(dir, NOFOLLOW, path, __WASI_OFLAGS_CREAT,
                        rights | __WASI_RIGHTS_FD_FILESTAT_GET, 0,
                        flags, &fd));
  return fd;
}

int main(void) {
  __wasi_fd_t top = test_dir("fs-tests.dir");
  /* A second handle on the same directory, to clean up with after the
   * preopen itself is gone. */
  __wasi_fd_t keep;
  MUST(open_dir_at(top, ".", &keep));
  dir = scratch(keep, "preopens.cleanup");

  section("fd_prestat_get and fd_prestat_dir_name");
  __wasi_prestat_t ps;
  EXPECT(OK(__wasi_fd_prestat_get(top, &ps)) &&
         ps.tag == __WASI_PREOPENTYPE_DIR);
  size_t len = ps.u.dir.pr_name_len;
  char name[300];
  memset(name, '#', sizeof name);
  EXPECT(len > 0 && len < sizeof name - 1);
  EXPECT(OK(__wasi_fd_prestat_dir_name(top, (uint8_t *)name, len)));
  /* The name is not NUL terminated, and nothing past it is written. */
  EXPECT(name[len] == '#');
  name[len] = 0;
  EXPECT(strcmp(name, "fs-tests.dir") == 0 || strcmp(name, "/") == 0);
  /* A bigger buffer is fine; a smaller one is refused. */
  OK(__wasi_fd_prestat_dir_name(top, (uint8_t *)name, len + 10));
  ERR2(__wasi_fd_prestat_dir_name(top, (uint8_t *)name, len - 1), NAMETOOLONG,
       INVAL);
  ERR2(__wasi_fd_prestat_dir_name(top, (uint8_t *)name, 0), NAMETOOLONG, INVAL);
  /* Only preopens have one. */
  ERR(__wasi_fd_prestat_get(0, &ps), BADF);
  ERR(__wasi_fd_prestat_get(1, &ps), BADF);
  ERR(__wasi_fd_prestat_get(keep, &ps), BADF);
  ERR(__wasi_fd_prestat_get(dir, &ps), BADF);
  ERR(__wasi_fd_prestat_dir_name(keep, (uint8_t *)name, sizeof name), BADF);
  ERR(__wasi_fd_prestat_get(0x7fffffff, &ps), BADF);

  section("a preopen's rights");
  __wasi_fdstat_t fst;
  EXPECT(OK(__wasi_fd_fdstat_get(top, &fst)) &&
         fst.fs_filetype == __WASI_FILETYPE_DIRECTORY && fst.fs_flags == 0);
  EXPECT((fst.fs_rights_base & DIR_BASE) == DIR_BASE);
  EXPECT((fst.fs_rights_inheriting & DIR_INHERITING) == DIR_INHERITING);
  /* A directory's own rights never include reading or writing bytes. */
  EXPECT(!(fst.fs_rights_base &
           (__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE |
            __WASI_RIGHTS_FD_SEEK | __WASI_RIGHTS_FD_FILESTAT_SET_SIZE)));

  section("fd_renumber between files");
  __wasi_fd_t a = open_file("a", __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE |
                                     __WASI_RIGHTS_FD_SEEK | __WASI_RIGHTS_FD_TELL,
                            __WASI_FDFLAGS_APPEND);
  __wasi_fd_t b = open_file("b", __WASI_RIGHTS_FD_READ, 0);
  __wasi_ciovec_t iov = {(const uint8_t *)"abc", 3};
  __wasi_size_t n;
  MUST(__wasi_fd_write(a, &iov, 1, &n));
  __wasi_fdstat_t before, after;
  MUST(__wasi_fd_fdstat_get(a, &before));
  __wasi_filestat_t a_id = stat_fd(a);
  OK(__wasi_fd_renumber(a, b));
  /* `b` is now what `a` was, position, flags and rights included. */
  EXPECT(OK(__wasi_fd_fdstat_get(b, &after)) &&
         after.fs_rights_base == before.fs_rights_base &&
         after.fs_rights_inheriting == before.fs_rights_inheriting &&
         after.fs_flags == __WASI_FDFLAGS_APPEND &&
         after.fs_filetype == __WASI_FILETYPE_REGULAR_FILE);
  __wasi_filestat_t b_id = stat_fd(b);
  EXPECT(b_id.ino == a_id.ino && b_id.dev == a_id.dev);
  __wasi_filesize_t pos = 0;
  EXPECT(OK(__wasi_fd_tell(b, &pos)) && pos == 3);
  ERR(__wasi_fd_fdstat_get(a, &after), BADF);
  ERR(__wasi_fd_close(a), BADF);
  /* Both numbers must be open. */
  ERR(__wasi_fd_renumber(b, a), BADF);
  ERR(__wasi_fd_renumber(a, b), BADF);
  ERR(__wasi_fd_renumber(0x7fffffff, b), BADF);
  EXPECT(OK(__wasi_fd_fdstat_get(b, &after)));
  /* Onto itself: nothing changes. */
  OK(__wasi_fd_renumber(b, b));
  EXPECT(OK(__wasi_fd_tell(b, &pos)) && pos == 3);
  OK(__wasi_fd_close(b));

  section("renumbering over a preopen");
  __wasi_filestat_t top_id = stat_fd(top);
  __wasi_fd_t file = open_file("over", __WASI_RIGHTS_FD_READ, 0);
  __wasi_filestat_t file_id = stat_fd(file);
  OK(__wasi_fd_renumber(file, top));
  /* The number now names the file. */
  __wasi_filestat_t now = stat_fd(top);
  EXPECT(now.ino == file_id.ino && now.dev == file_id.dev);
  EXPECT(OK(__wasi_fd_fdstat_get(top, &fst)) &&
         fst.fs_filetype == __WASI_FILETYPE_REGULAR_FILE);
  ERR(__wasi_fd_prestat_get(top, &ps), BADF);
  __wasi_fd_t x;
  ERR(__wasi_path_open(top, FOLLOW, "preopens.cleanup", 0, 0, 0, 0, &x),
      NOTDIR);
  ERR(__wasi_fd_fdstat_get(file, &fst), BADF);
  /* And a directory renumbered over it is reachable there again, as a
   * plain directory. */
  __wasi_fd_t again;
  MUST(open_dir_at(keep, ".", &again));
  OK(__wasi_fd_renumber(again, top));
  now = stat_fd(top);
  EXPECT(now.ino == top_id.ino && now.dev == top_id.dev);
  ERR(__wasi_fd_prestat_get(top, &ps), BADF);
  EXPECT(holds(top, "preopens.cleanup/over", ""));
  ERR(__wasi_fd_fdstat_get(again, &fst), BADF);

  section("closing a preopen");
  OK(__wasi_fd_close(top));
  ERR(__wasi_fd_fdstat_get(top, &fst), BADF);
  ERR(__wasi_fd_prestat_get(top, &ps), BADF);
  ERR(__wasi_fd_close(top), BADF);
  ERR(__wasi_path_open(top, FOLLOW, ".", __WASI_OFLAGS_DIRECTORY, 0, 0, 0, &x),
      BADF);
  /* What was opened through it stays open. */
  EXPECT(OK(__wasi_fd_fdstat_get(keep, &fst)) &&
         fst.fs_filetype == __WASI_FILETYPE_DIRECTORY);
  EXPECT(holds(dir, "over", ""));

  section("a closed descriptor");
  /* Every call on a number that is not open is EBADF. */
  __wasi_fd_t bad = top;
  char buf[4];
  __wasi_iovec_t riov = {(uint8_t *)buf, sizeof buf};
  __wasi_filestat_t st;
  ERR(__wasi_fd_read(bad, &riov, 1, &n), BADF);
  ERR(__wasi_fd_write(bad, &iov, 1, &n), BADF);
  ERR(__wasi_fd_pread(bad, &riov, 1, 0, &n), BADF);
  ERR(__wasi_fd_pwrite(bad, &iov, 1, 0, &n), BADF);
  ERR(__wasi_fd_seek(bad, 0, __WASI_WHENCE_SET, &pos), BADF);
  ERR(__wasi_fd_tell(bad, &pos), BADF);
  ERR(__wasi_fd_filestat_get(bad, &st), BADF);
  ERR(__wasi_fd_filestat_set_size(bad, 0), BADF);
  ERR(__wasi_fd_filestat_set_times(bad, 0, 0, 0), BADF);
  ERR(__wasi_fd_fdstat_set_flags(bad, 0), BADF);
  ERR(__wasi_fd_fdstat_set_rights(bad, 0, 0), BADF);
  ERR(__wasi_fd_sync(bad), BADF);
  ERR(__wasi_fd_datasync(bad), BADF);
  ERR(__wasi_fd_advise(bad, 0, 0, __WASI_ADVICE_NORMAL), BADF);
  ERR(__wasi_fd_allocate(bad, 0, 1), BADF);
  ERR(__wasi_fd_readdir(bad, (uint8_t *)buf, sizeof buf, 0, &n), BADF);
  ERR(__wasi_path_create_directory(bad, "x"), BADF);
  ERR(__wasi_path_filestat_get(bad, 0, "x", &st), BADF);
  ERR(__wasi_path_unlink_file(bad, "x"), BADF);
  ERR(__wasi_path_remove_directory(bad, "x"), BADF);
  ERR(__wasi_path_symlink("x", bad, "y"), BADF);
  ERR(__wasi_path_readlink(bad, "x", (uint8_t *)buf, sizeof buf, &n), BADF);
  ERR(__wasi_path_rename(bad, "x", dir, "y"), BADF);
  ERR(__wasi_path_rename(dir, "over", bad, "y"), BADF);
  ERR(__wasi_path_link(bad, 0, "x", dir, "y"), BADF);
  ERR(__wasi_path_filestat_set_times(bad, 0, "x", 0, 0, 0), BADF);
  EXPECT(holds(dir, "over", ""));

  drop_scratch(keep, "preopens.cleanup", dir);
  OK(__wasi_fd_close(keep));
  return finish();
}
