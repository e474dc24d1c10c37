/* Rights: fd_fdstat_set_rights may only shrink them, and every call
 * beyond a descriptor's rights fails with ENOTCAPABLE, for files and for
 * directory handles, base and inheriting. The sandbox is fd 3. */
#include <stdint.h>
#include <wasi/api.h>

#include "fsutil.h"

#define NOTCAP __WASI_ERRNO_NOTCAPABLE

#define DIR_RIGHTS                                                            \
  (__WASI_RIGHTS_PATH_OPEN | __WASI_RIGHTS_FD_READDIR |                       \
   __WASI_RIGHTS_PATH_CREATE_FILE | __WASI_RIGHTS_PATH_CREATE_DIRECTORY |     \
   __WASI_RIGHTS_PATH_LINK_SOURCE | __WASI_RIGHTS_PATH_LINK_TARGET |          \
   __WASI_RIGHTS_PATH_READLINK | __WASI_RIGHTS_PATH_RENAME_SOURCE |           \
   __WASI_RIGHTS_PATH_RENAME_TARGET | __WASI_RIGHTS_PATH_FILESTAT_GET |       \
   __WASI_RIGHTS_PATH_FILESTAT_SET_SIZE |                                     \
   __WASI_RIGHTS_PATH_FILESTAT_SET_TIMES | __WASI_RIGHTS_PATH_SYMLINK |       \
   __WASI_RIGHTS_PATH_REMOVE_DIRECTORY | __WASI_RIGHTS_PATH_UNLINK_FILE |     \
   __WASI_RIGHTS_FD_FILESTAT_GET)

static __wasi_fd_t open_file(void) {
  __wasi_fd_t fd;
  CHECK_ERRNO(__wasi_path_open(SANDBOX, FOLLOW, "file", __WASI_OFLAGS_CREAT,
                               FILE_RIGHTS, 0, 0, &fd),
              __WASI_ERRNO_SUCCESS);
  return fd;
}

static __wasi_fd_t open_dir(__wasi_rights_t base, __wasi_rights_t inheriting) {
  __wasi_fd_t fd;
  CHECK_ERRNO(__wasi_path_open(SANDBOX, FOLLOW, ".", __WASI_OFLAGS_DIRECTORY,
                               base, inheriting, 0, &fd),
              __WASI_ERRNO_SUCCESS);
  return fd;
}

/* One call per file right that it needs. */
static __wasi_errno_t file_op(__wasi_rights_t right, __wasi_fd_t fd) {
  static char buf[8];
  __wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf};
  __wasi_ciovec_t ciov = {(const uint8_t *)"x", 1};
  __wasi_size_t n;
  __wasi_filesize_t pos;
  __wasi_filestat_t st;
  switch (right) {
    case __WASI_RIGHTS_FD_READ: return __wasi_fd_read(fd, &iov, 1, &n);
    case __WASI_RIGHTS_FD_WRITE: return __wasi_fd_write(fd, &ciov, 1, &n);
    case __WASI_RIGHTS_FD_SEEK:
      return __wasi_fd_seek(fd, 1, __WASI_WHENCE_SET, &pos);
    case __WASI_RIGHTS_FD_FDSTAT_SET_FLAGS:
      return __wasi_fd_fdstat_set_flags(fd, __WASI_FDFLAGS_APPEND);
    case __WASI_RIGHTS_FD_SYNC: return __wasi_fd_sync(fd);
    case __WASI_RIGHTS_FD_DATASYNC: return __wasi_fd_datasync(fd);
    case __WASI_RIGHTS_FD_ADVISE:
      return __wasi_fd_advise(fd, 0, 1, __WASI_ADVICE_NORMAL);
    case __WASI_RIGHTS_FD_ALLOCATE: return __wasi_fd_allocate(fd, 0, 1);
    case __WASI_RIGHTS_FD_FILESTAT_GET: return __wasi_fd_filestat_get(fd, &st);
    case __WASI_RIGHTS_FD_FILESTAT_SET_SIZE:
      return __wasi_fd_filestat_set_size(fd, 1);
    case __WASI_RIGHTS_FD_FILESTAT_SET_TIMES:
      return __wasi_fd_filestat_set_times(fd, 1, 1,
                                          __WASI_FSTFLAGS_ATIM |
                                              __WASI_FSTFLAGS_MTIM);
  }
  CHECK(!"no call for this right");
  return 0;
}

static const __wasi_rights_t file_rights[] = {
    __WASI_RIGHTS_FD_READ,          __WASI_RIGHTS_FD_WRITE,
    __WASI_RIGHTS_FD_SEEK,          __WASI_RIGHTS_FD_FDSTAT_SET_FLAGS,
    __WASI_RIGHTS_FD_SYNC,          __WASI_RIGHTS_FD_DATASYNC,
    __WASI_RIGHTS_FD_ADVISE,        __WASI_RIGHTS_FD_ALLOCATE,
    __WASI_RIGHTS_FD_FILESTAT_GET,  __WASI_RIGHTS_FD_FILESTAT_SET_SIZE,
    __WASI_RIGHTS_FD_FILESTAT_SET_TIMES,
};

static void test_file_rights(void) {
  for (size_t i = 0; i < sizeof file_rights / sizeof *file_rights; i++) {
    __wasi_rights_t r = file_rights[i];
    __wasi_fd_t fd = open_file();
    __wasi_fdstat_t st = fdstat(fd);
    CHECK((st.fs_rights_base & FILE_RIGHTS) == FILE_RIGHTS);
    /* Shrinking succeeds and shows in fdstat. */
    CHECK_ERRNO(__wasi_fd_fdstat_set_rights(fd, st.fs_rights_base & ~r,
                                            st.fs_rights_inheriting),
                __WASI_ERRNO_SUCCESS);
    CHECK(fdstat(fd).fs_rights_base == (st.fs_rights_base & ~r));
    /* The call that needs the right is refused... */
    __wasi_errno_t e = file_op(r, fd);
    if (e != NOTCAP) {
      printf("right %#llx: got %d\n", (unsigned long long)r, e);
      CHECK_ERRNO(e, NOTCAP);
    }
    /* ...and the right cannot come back. */
    CHECK_ERRNO(__wasi_fd_fdstat_set_rights(fd, st.fs_rights_base,
                                            st.fs_rights_inheriting),
                NOTCAP);
    CHECK(fdstat(fd).fs_rights_base == (st.fs_rights_base & ~r));
    CHECK_ERRNO(__wasi_fd_close(fd), __WASI_ERRNO_SUCCESS);
  }

  /* Reading still works once FD_WRITE is gone; pwrite is refused too. */
  __wasi_fd_t fd = open_file();
  CHECK_ERRNO(__wasi_fd_fdstat_set_rights(fd, FILE_RIGHTS &
                                                  ~__WASI_RIGHTS_FD_WRITE,
                                          0),
              __WASI_ERRNO_SUCCESS);
  __wasi_ciovec_t ciov = {(const uint8_t *)"x", 1};
  __wasi_size_t n;
  CHECK_ERRNO(__wasi_fd_pwrite(fd, &ciov, 1, 0, &n), NOTCAP);
  char buf[4];
  __wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf};
  CHECK_ERRNO(__wasi_fd_read(fd, &iov, 1, &n), __WASI_ERRNO_SUCCESS);
  /* Without FD_READ, pread is refused as well. */
  CHECK_ERRNO(__wasi_fd_fdstat_set_rights(fd, __WASI_RIGHTS_FD_SEEK, 0),
              __WASI_ERRNO_SUCCESS);
  CHECK_ERRNO(__wasi_fd_pread(fd, &iov, 1, 0, &n), NOTCAP);
  /* FD_TELL is separate from FD_SEEK. */
  __wasi_filesize_t pos;
  CHECK_ERRNO(__wasi_fd_fdstat_set_rights(fd, 0, 0), __WASI_ERRNO_SUCCESS);
  CHECK_ERRNO(__wasi_fd_tell(fd, &pos), NOTCAP);
  CHECK(fdstat(fd).fs_rights_base == 0);
  /* Closing needs no right. */
  CHECK_ERRNO(__wasi_fd_close(fd), __WASI_ERRNO_SUCCESS);
  CHECK_ERRNO(__wasi_fd_fdstat_set_rights(fd, 0, 0), __WASI_ERRNO_BADF);

  /* Setting the same rights again is a no-op, not a growth. */
  fd = open_file();
  __wasi_fdstat_t st = fdstat(fd);
  CHECK_ERRNO(__wasi_fd_fdstat_set_rights(fd, st.fs_rights_base,
                                          st.fs_rights_inheriting),
              __WASI_ERRNO_SUCCESS);
  CHECK_ERRNO(__wasi_fd_close(fd), __WASI_ERRNO_SUCCESS);
  OK("file rights");
}

/* One call per directory right that it needs. */
static __wasi_errno_t dir_op(__wasi_rights_t right, __wasi_fd_t dir) {
  static uint8_t buf[256];
  __wasi_size_t n;
  __wasi_fd_t fd;
  __wasi_filestat_t st;
  __wasi_errno_t e;
  switch (right) {
    case __WASI_RIGHTS_PATH_OPEN:
      e = __wasi_path_open(dir, FOLLOW, "file", 0, __WASI_RIGHTS_FD_READ, 0, 0,
                           &fd);
      if (e == 0) CHECK_ERRNO(__wasi_fd_close(fd), __WASI_ERRNO_SUCCESS);
      return e;
    case __WASI_RIGHTS_FD_READDIR:
      return __wasi_fd_readdir(dir, buf, sizeof buf, 0, &n);
    case __WASI_RIGHTS_PATH_CREATE_FILE:
      e = __wasi_path_open(dir, FOLLOW, "created", __WASI_OFLAGS_CREAT,
                           __WASI_RIGHTS_FD_READ, 0, 0, &fd);
      if (e == 0) CHECK_ERRNO(__wasi_fd_close(fd), __WASI_ERRNO_SUCCESS);
      return e;
    case __WASI_RIGHTS_PATH_FILESTAT_SET_SIZE:
      e = __wasi_path_open(dir, FOLLOW, "file", __WASI_OFLAGS_TRUNC,
                           __WASI_RIGHTS_FD_WRITE, 0, 0, &fd);
      if (e == 0) CHECK_ERRNO(__wasi_fd_close(fd), __WASI_ERRNO_SUCCESS);
      return e;
    case __WASI_RIGHTS_PATH_CREATE_DIRECTORY:
      return __wasi_path_create_directory(dir, "newdir");
    case __WASI_RIGHTS_PATH_LINK_SOURCE:
    case __WASI_RIGHTS_PATH_LINK_TARGET:
      return __wasi_path_link(dir, 0, "file", dir, "hard");
    case __WASI_RIGHTS_PATH_READLINK:
      return __wasi_path_readlink(dir, "link", buf, sizeof buf, &n);
    case __WASI_RIGHTS_PATH_RENAME_SOURCE:
    case __WASI_RIGHTS_PATH_RENAME_TARGET:
      return __wasi_path_rename(dir, "file", dir, "renamed");
    case __WASI_RIGHTS_PATH_FILESTAT_GET:
      return __wasi_path_filestat_get(dir, FOLLOW, "file", &st);
    case __WASI_RIGHTS_PATH_FILESTAT_SET_TIMES:
      return __wasi_path_filestat_set_times(
          dir, FOLLOW, "file", 1, 1,
          __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM);
    case __WASI_RIGHTS_PATH_SYMLINK:
      return __wasi_path_symlink("file", dir, "newlink");
    case __WASI_RIGHTS_PATH_REMOVE_DIRECTORY:
      return __wasi_path_remove_directory(dir, "subdir");
    case __WASI_RIGHTS_PATH_UNLINK_FILE:
      return __wasi_path_unlink_file(dir, "file");
    case __WASI_RIGHTS_FD_FILESTAT_GET:
      return __wasi_fd_filestat_get(dir, &st);
  }
  CHECK(!"no call for this right");
  return 0;
}

static const __wasi_rights_t dir_rights[] = {
    __WASI_RIGHTS_PATH_OPEN,
    __WASI_RIGHTS_FD_READDIR,
    __WASI_RIGHTS_PATH_CREATE_FILE,
    __WASI_RIGHTS_PATH_FILESTAT_SET_SIZE,
    __WASI_RIGHTS_PATH_CREATE_DIRECTORY,
    __WASI_RIGHTS_PATH_LINK_SOURCE,
    __WASI_RIGHTS_PATH_LINK_TARGET,
    __WASI_RIGHTS_PATH_READLINK,
    __WASI_RIGHTS_PATH_RENAME_SOURCE,
    __WASI_RIGHTS_PATH_RENAME_TARGET,
    __WASI_RIGHTS_PATH_FILESTAT_GET,
    __WASI_RIGHTS_PATH_FILESTAT_SET_TIMES,
    __WASI_RIGHTS_PATH_SYMLINK,
    __WASI_RIGHTS_PATH_REMOVE_DIRECTORY,
    __WASI_RIGHTS_PATH_UNLINK_FILE,
    __WASI_RIGHTS_FD_FILESTAT_GET,
};

static void test_dir_rights(void) {
  CHECK_ERRNO(__wasi_path_create_directory(SANDBOX, "subdir"),
              __WASI_ERRNO_SUCCESS);
  CHECK_ERRNO(__wasi_path_symlink("file", SANDBOX, "link"),
              __WASI_ERRNO_SUCCESS);
  __wasi_fdstat_t pre = fdstat(SANDBOX);
  CHECK((pre.fs_rights_base & DIR_RIGHTS) == DIR_RIGHTS);

  for (size_t i = 0; i < sizeof dir_rights / sizeof *dir_rights; i++) {
    __wasi_rights_t r = dir_rights[i];
    __wasi_fd_t dir = open_dir(DIR_RIGHTS, FILE_RIGHTS);
    CHECK_ERRNO(__wasi_fd_fdstat_set_rights(dir, DIR_RIGHTS & ~r, FILE_RIGHTS),
                __WASI_ERRNO_SUCCESS);
    __wasi_errno_t e = dir_op(r, dir);
    if (e != NOTCAP) {
      printf("right %#llx: got %d\n", (unsigned long long)r, e);
      CHECK_ERRNO(e, NOTCAP);
    }
    CHECK_ERRNO(__wasi_fd_fdstat_set_rights(dir, DIR_RIGHTS, FILE_RIGHTS),
                NOTCAP);
    CHECK_ERRNO(__wasi_fd_close(dir), __WASI_ERRNO_SUCCESS);
  }

  /* Nothing those refused calls named was changed. */
  __wasi_filestat_t st;
  CHECK_ERRNO(__wasi_path_filestat_get(SANDBOX, 0, "file", &st),
              __WASI_ERRNO_SUCCESS);
  CHECK(st.nlink == 1 && st.size == 0 && st.mtim != 1);
  CHECK_ERRNO(__wasi_path_filestat_get(SANDBOX, 0, "subdir", &st),
              __WASI_ERRNO_SUCCESS);
  const char *absent[] = {"created", "newdir", "hard", "renamed", "newlink"};
  for (int i = 0; i < 5; i++)
    CHECK_ERRNO(__wasi_path_filestat_get(SANDBOX, 0, absent[i], &st),
                __WASI_ERRNO_NOENT);
  OK("directory rights");
}

static void test_inheriting(void) {
  /* A handle whose inheriting rights allow only reading. */
  __wasi_fd_t dir = open_dir(DIR_RIGHTS, FILE_RIGHTS);
  CHECK_ERRNO(__wasi_fd_fdstat_set_rights(dir, DIR_RIGHTS,
                                          __WASI_RIGHTS_FD_READ |
                                              __WASI_RIGHTS_FD_SEEK),
              __WASI_ERRNO_SUCCESS);
  __wasi_fd_t fd;
  CHECK_ERRNO(__wasi_path_open(dir, FOLLOW, "file", 0,
                               __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE,
                               0, 0, &fd),
              NOTCAP);
  CHECK_ERRNO(__wasi_path_open(dir, FOLLOW, "file", 0, __WASI_RIGHTS_FD_READ,
                               __WASI_RIGHTS_FD_WRITE, 0, &fd),
              NOTCAP);
  CHECK_ERRNO(__wasi_path_open(dir, FOLLOW, "file", 0, __WASI_RIGHTS_FD_READ,
                               0, 0, &fd),
              __WASI_ERRNO_SUCCESS);
  CHECK((fdstat(fd).fs_rights_base & ~(__wasi_rights_t)__WASI_RIGHTS_FD_READ) ==
        0);
  __wasi_ciovec_t ciov = {(const uint8_t *)"x", 1};
  __wasi_size_t n;
  CHECK_ERRNO(__wasi_fd_write(fd, &ciov, 1, &n), NOTCAP);
  CHECK_ERRNO(__wasi_fd_close(fd), __WASI_ERRNO_SUCCESS);
  /* The same limit holds for directories opened below it. */
  CHECK_ERRNO(__wasi_path_open(dir, FOLLOW, "subdir", __WASI_OFLAGS_DIRECTORY,
                               __WASI_RIGHTS_PATH_CREATE_FILE, 0, 0, &fd),
              NOTCAP);
  /* Growing the inheriting set back is refused too. */
  CHECK_ERRNO(__wasi_fd_fdstat_set_rights(dir, DIR_RIGHTS, FILE_RIGHTS),
              NOTCAP);
  CHECK_ERRNO(__wasi_fd_close(dir), __WASI_ERRNO_SUCCESS);

  /* wasi-libc masks what open() asks for with the inheriting rights, so
   * O_RDWR under a read-only handle opens read-only and writes fail. */
  __wasi_fdstat_t st = fdstat(SANDBOX);
  CHECK_ERRNO(__wasi_fd_fdstat_set_rights(SANDBOX, st.fs_rights_base,
                                          st.fs_rights_inheriting &
                                              ~(__wasi_rights_t)
                                                  __WASI_RIGHTS_FD_WRITE),
              __WASI_ERRNO_SUCCESS);
  FILE *f = fopen("/sandbox/file", "r+");
  CHECK(f != NULL);
  CHECK(fputs("x", f) >= 0);
  CHECK(fflush(f) == EOF && errno == ENOTCAPABLE);
  fclose(f);
  OK("inheriting rights");
}

int main(void) {
  test_file_rights();
  test_dir_rights();
  test_inheriting();
  OK("fs_rights");
  return 0;
}
