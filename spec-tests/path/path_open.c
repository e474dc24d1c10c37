/* path_open: O_CREAT|O_EXCL on an existing name, O_DIRECTORY on a file,
 * opening the preopen itself and `.`, O_NONBLOCK, O_TRUNC, read and write
 * against the rights asked for, missing paths, and a dirfd that is not a
 * directory.
 *
 * Errnos are Linux's for openat(2) with the matching flags. A write through a
 * descriptor opened without the right to write is EBADF on POSIX; preview1
 * calls a missing right ENOTCAPABLE, and both are accepted. */
#include "spec.h"

static __wasi_fd_t dir;

static __wasi_errno_t try_open(__wasi_fd_t at, const char *path,
                               __wasi_oflags_t oflags, __wasi_rights_t base,
                               __wasi_fdflags_t fdflags) {
  __wasi_fd_t fd;
  __wasi_errno_t e =
      __wasi_path_open(at, FOLLOW, path, oflags, base, 0, fdflags, &fd);
  if (e == 0) e = __wasi_fd_close(fd);
  return e;
}

static __wasi_errno_t write_str(__wasi_fd_t fd, const char *text,
                                __wasi_size_t *n) {
  __wasi_ciovec_t iov = {(const uint8_t *)text, strlen(text)};
  return __wasi_fd_write(fd, &iov, 1, n);
}

static __wasi_errno_t read_buf(__wasi_fd_t fd, char *buf, size_t len,
                               __wasi_size_t *n) {
  __wasi_iovec_t iov = {(uint8_t *)buf, len};
  return __wasi_fd_read(fd, &iov, 1, n);
}

static __wasi_filesize_t size_of(const char *path) {
  __wasi_filestat_t st;
  if (__wasi_path_filestat_get(dir, FOLLOW, path, &st)) return (uint64_t)-1;
  return st.size;
}

int main(void) {
  __wasi_fd_t top = test_dir("fs-tests.dir");
  dir = scratch(top, "path_open.cleanup");
  MUST(put_file(dir, "file", "0123456789"));
  MUST(__wasi_path_create_directory(dir, "dir"));
  __wasi_fd_t fd;
  __wasi_size_t n;
  char buf[32];

  section("O_CREAT and O_EXCL");
  ERR(try_open(dir, "file", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL,
               __WASI_RIGHTS_FD_WRITE, 0),
      EXIST);
  ERR(try_open(dir, "dir", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL,
               __WASI_RIGHTS_FD_READ, 0),
      EXIST);
  EXPECT(holds(dir, "file", "0123456789"));
  /* Without O_EXCL an existing file is opened as it is. */
  OK(try_open(dir, "file", __WASI_OFLAGS_CREAT, __WASI_RIGHTS_FD_WRITE, 0));
  EXPECT(holds(dir, "file", "0123456789"));
  /* A directory cannot be opened for writing, created or not. */
  ERR(try_open(dir, "dir", __WASI_OFLAGS_CREAT, __WASI_RIGHTS_FD_WRITE, 0),
      ISDIR);
  OK(try_open(dir, "new", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL,
              __WASI_RIGHTS_FD_WRITE, 0));
  EXPECT(type_at(dir, "new", 0) == __WASI_FILETYPE_REGULAR_FILE);
  EXPECT(size_of("new") == 0);
  ERR(try_open(dir, "missing/new", __WASI_OFLAGS_CREAT, __WASI_RIGHTS_FD_WRITE,
               0),
      NOENT);
  ERR(try_open(dir, "file/new", __WASI_OFLAGS_CREAT, __WASI_RIGHTS_FD_WRITE, 0),
      NOTDIR);
  /* O_CREAT|O_DIRECTORY is EINVAL on Linux (since 6.4), never a directory. */
  ERR(try_open(dir, "newdir", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_DIRECTORY, 0,
               0),
      INVAL);
  EXPECT(!exists(dir, "newdir"));

  section("O_DIRECTORY");
  ERR(try_open(dir, "file", __WASI_OFLAGS_DIRECTORY, 0, 0), NOTDIR);
  ERR(try_open(dir, "file", __WASI_OFLAGS_DIRECTORY, __WASI_RIGHTS_FD_READ, 0),
      NOTDIR);
  /* The type is checked before anything is truncated. */
  ERR(try_open(dir, "file", __WASI_OFLAGS_DIRECTORY | __WASI_OFLAGS_TRUNC,
               __WASI_RIGHTS_FD_WRITE, 0),
      NOTDIR);
  EXPECT(holds(dir, "file", "0123456789"));
  if (OK(__wasi_path_open(dir, FOLLOW, "dir", __WASI_OFLAGS_DIRECTORY,
                          __WASI_RIGHTS_FD_READDIR, 0, 0, &fd))) {
    __wasi_fdstat_t st;
    EXPECT(OK(__wasi_fd_fdstat_get(fd, &st)) &&
           st.fs_filetype == __WASI_FILETYPE_DIRECTORY);
    OK(__wasi_fd_close(fd));
  }
  /* Without O_DIRECTORY a directory still opens for reading. */
  OK(try_open(dir, "dir", 0, __WASI_RIGHTS_FD_READ, 0));
  ERR(try_open(dir, "dir", 0, __WASI_RIGHTS_FD_WRITE, 0), ISDIR);
  ERR(try_open(dir, "dir", 0, __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE,
               0),
      ISDIR);
  ERR(try_open(dir, "dir", __WASI_OFLAGS_TRUNC, __WASI_RIGHTS_FD_READ, 0),
      ISDIR);

  section("opening the preopen itself");
  __wasi_fdstat_t pst;
  MUST(__wasi_fd_fdstat_get(top, &pst));
  OK(try_open(top, ".", 0, 0, 0));
  /* The fixture the runner hands over is there, as it was. */
  EXPECT(holds(top, "fixture.txt", "fixture\n"));
  OK(try_open(top, ".", __WASI_OFLAGS_DIRECTORY, 0, 0));
  OK(try_open(top, ".", __WASI_OFLAGS_DIRECTORY, __WASI_RIGHTS_FD_READ, 0));
  OK(try_open(top, "./", __WASI_OFLAGS_DIRECTORY, 0, 0));
  if (OK(__wasi_path_open(top, NOFOLLOW, ".", 0, pst.fs_rights_base,
                          pst.fs_rights_inheriting, 0, &fd))) {
    __wasi_filestat_t a, b;
    EXPECT(OK(__wasi_fd_filestat_get(fd, &a)) &&
           OK(__wasi_fd_filestat_get(top, &b)) && a.ino == b.ino &&
           a.dev == b.dev);
    /* The new handle reaches what the preopen reaches. */
    EXPECT(holds(fd, "path_open.cleanup/file", "0123456789"));
    OK(__wasi_fd_close(fd));
  }
  /* A directory is never opened for writing: EISDIR, as open(2) says.
   * (With O_DIRECTORY too: see open_directory_for_writing.) */
  ERR(try_open(top, ".", 0, __WASI_RIGHTS_FD_WRITE, 0), ISDIR);
  ERR(try_open(top, ".", 0, __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE, 0),
      ISDIR);
  /* `..` of the preopen is outside it. */
  ERR2(try_open(top, "..", __WASI_OFLAGS_DIRECTORY, 0, 0), PERM, NOTCAPABLE);
  ERR2(try_open(dir, "../..", __WASI_OFLAGS_DIRECTORY, 0, 0), PERM,
       NOTCAPABLE);
  /* `..` that stays inside is fine. */
  OK(try_open(dir, "dir/..", __WASI_OFLAGS_DIRECTORY, 0, 0));
  OK(try_open(dir, "dir/../file", 0, __WASI_RIGHTS_FD_READ, 0));
  ERR2(try_open(dir, "/file", 0, __WASI_RIGHTS_FD_READ, 0), PERM, NOTCAPABLE);

  section("missing paths");
  ERR(try_open(dir, "missing", 0, __WASI_RIGHTS_FD_READ, 0), NOENT);
  ERR(try_open(dir, "missing/file", 0, __WASI_RIGHTS_FD_READ, 0), NOENT);
  ERR(try_open(dir, "dir/missing", 0, __WASI_RIGHTS_FD_READ, 0), NOENT);
  ERR(try_open(dir, "file/missing", 0, __WASI_RIGHTS_FD_READ, 0), NOTDIR);
  ERR(try_open(dir, "", 0, __WASI_RIGHTS_FD_READ, 0), NOENT);
  ERR(try_open(dir, "missing", __WASI_OFLAGS_DIRECTORY, 0, 0), NOENT);
  ERR(try_open(dir, "missing", __WASI_OFLAGS_TRUNC, __WASI_RIGHTS_FD_WRITE, 0),
      NOENT);
  EXPECT(!exists(dir, "missing"));

  section("a dirfd that is not a directory");
  MUST(__wasi_path_open(dir, FOLLOW, "file", 0, __WASI_RIGHTS_FD_READ, 0, 0,
                        &fd));
  ERR(try_open(fd, "x", 0, __WASI_RIGHTS_FD_READ, 0), NOTDIR);
  ERR(try_open(fd, ".", 0, __WASI_RIGHTS_FD_READ, 0), NOTDIR);
  ERR(try_open(fd, "x", __WASI_OFLAGS_CREAT, __WASI_RIGHTS_FD_WRITE, 0),
      NOTDIR);
  __wasi_filestat_t st;
  ERR(__wasi_path_filestat_get(fd, FOLLOW, "x", &st), NOTDIR);
  ERR(__wasi_path_create_directory(fd, "x"), NOTDIR);
  ERR(__wasi_path_unlink_file(fd, "x"), NOTDIR);
  OK(__wasi_fd_close(fd));
  /* Standard output is not a directory either. */
  ERR(try_open(1, "x", 0, __WASI_RIGHTS_FD_READ, 0), NOTDIR);
  /* A closed or never-opened number is EBADF. */
  ERR(try_open(fd, "x", 0, __WASI_RIGHTS_FD_READ, 0), BADF);
  ERR(try_open(0x7fffffff, "x", 0, __WASI_RIGHTS_FD_READ, 0), BADF);

  section("read and write against rights");
  /* Read-only: reads work, writes are refused. */
  MUST(__wasi_path_open(dir, FOLLOW, "file", 0, __WASI_RIGHTS_FD_READ, 0, 0,
                        &fd));
  __wasi_fdstat_t fst;
  EXPECT(OK(__wasi_fd_fdstat_get(fd, &fst)) &&
         (fst.fs_rights_base & __WASI_RIGHTS_FD_READ) &&
         !(fst.fs_rights_base & __WASI_RIGHTS_FD_WRITE));
  EXPECT(OK(read_buf(fd, buf, 4, &n)) && n == 4 && memcmp(buf, "0123", 4) == 0);
  ERR2(write_str(fd, "x", &n), BADF, NOTCAPABLE);
  OK(__wasi_fd_close(fd));
  EXPECT(holds(dir, "file", "0123456789"));
  /* Write-only: the reverse. */
  MUST(__wasi_path_open(dir, FOLLOW, "file", 0, __WASI_RIGHTS_FD_WRITE, 0, 0,
                        &fd));
  EXPECT(OK(__wasi_fd_fdstat_get(fd, &fst)) &&
         !(fst.fs_rights_base & __WASI_RIGHTS_FD_READ) &&
         (fst.fs_rights_base & __WASI_RIGHTS_FD_WRITE));
  ERR2(read_buf(fd, buf, 4, &n), BADF, NOTCAPABLE);
  EXPECT(OK(write_str(fd, "ab", &n)) && n == 2);
  OK(__wasi_fd_close(fd));
  EXPECT(holds(dir, "file", "ab23456789"));
  /* Both: one descriptor, one position. */
  MUST(__wasi_path_open(dir, FOLLOW, "file", 0,
                        __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE, 0, 0,
                        &fd));
  EXPECT(OK(read_buf(fd, buf, 3, &n)) && n == 3 && memcmp(buf, "ab2", 3) == 0);
  EXPECT(OK(write_str(fd, "XY", &n)) && n == 2);
  EXPECT(OK(read_buf(fd, buf, sizeof buf, &n)) && n == 5 &&
         memcmp(buf, "56789", 5) == 0);
  OK(__wasi_fd_close(fd));
  EXPECT(holds(dir, "file", "ab2XY56789"));
  /* Neither: the file opens, and only metadata is reachable. */
  MUST(__wasi_path_open(dir, FOLLOW, "file", 0, __WASI_RIGHTS_FD_FILESTAT_GET,
                        0, 0, &fd));
  ERR2(read_buf(fd, buf, 4, &n), BADF, NOTCAPABLE);
  ERR2(write_str(fd, "x", &n), BADF, NOTCAPABLE);
  EXPECT(OK(__wasi_fd_filestat_get(fd, &st)) && st.size == 10);
  OK(__wasi_fd_close(fd));
  /* Rights a directory cannot pass on are refused at open. */
  __wasi_fd_t narrow;
  MUST(__wasi_path_open(dir, FOLLOW, "dir", __WASI_OFLAGS_DIRECTORY,
                        __WASI_RIGHTS_PATH_OPEN, __WASI_RIGHTS_FD_READ, 0,
                        &narrow));
  MUST(put_file(dir, "dir/f", "f"));
  OK(try_open(narrow, "f", 0, __WASI_RIGHTS_FD_READ, 0));
  ERR(try_open(narrow, "f", 0, __WASI_RIGHTS_FD_WRITE, 0), NOTCAPABLE);
  /* Creating needs PATH_CREATE_FILE on the directory. */
  ERR(try_open(narrow, "g", __WASI_OFLAGS_CREAT, __WASI_RIGHTS_FD_READ, 0),
      NOTCAPABLE);
  EXPECT(!exists(dir, "dir/g"));
  OK(__wasi_fd_close(narrow));

  section("O_TRUNC");
  MUST(put_file(dir, "trunc", "some bytes"));
  OK(try_open(dir, "trunc", __WASI_OFLAGS_TRUNC, __WASI_RIGHTS_FD_WRITE, 0));
  EXPECT(size_of("trunc") == 0);
  MUST(put_file(dir, "trunc", "some bytes"));
  /* Truncating without the right to write still truncates on Linux
   * (O_RDONLY|O_TRUNC); here the right that matters is the directory's
   * PATH_FILESTAT_SET_SIZE. */
  OK(try_open(dir, "trunc", __WASI_OFLAGS_TRUNC, __WASI_RIGHTS_FD_READ, 0));
  EXPECT(size_of("trunc") == 0);
  MUST(put_file(dir, "trunc", "some bytes"));
  OK(try_open(dir, "trunc", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC,
              __WASI_RIGHTS_FD_WRITE, 0));
  EXPECT(size_of("trunc") == 0);

  section("O_NONBLOCK");
  if (OK(__wasi_path_open(dir, FOLLOW, "file", 0,
                          __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE, 0,
                          __WASI_FDFLAGS_NONBLOCK, &fd))) {
    EXPECT(OK(__wasi_fd_fdstat_get(fd, &fst)) &&
           (fst.fs_flags & __WASI_FDFLAGS_NONBLOCK));
    /* A regular file never blocks, so the flag changes nothing here. */
    EXPECT(OK(read_buf(fd, buf, sizeof buf, &n)) && n == 10);
    EXPECT(OK(read_buf(fd, buf, sizeof buf, &n)) && n == 0);
    EXPECT(OK(write_str(fd, "!", &n)) && n == 1);
    OK(__wasi_fd_close(fd));
  }
  EXPECT(holds(dir, "file", "ab2XY56789!"));
  OK(try_open(dir, "dir", __WASI_OFLAGS_DIRECTORY, 0, __WASI_FDFLAGS_NONBLOCK));
  OK(try_open(dir, "nb-new", __WASI_OFLAGS_CREAT, __WASI_RIGHTS_FD_WRITE,
              __WASI_FDFLAGS_NONBLOCK));
  EXPECT(exists(dir, "nb-new"));
  /* Bits outside the witx definitions of fdflags and oflags are invalid
   * values, refused as EINVAL before anything is opened. */
  ERR(try_open(dir, "file", 0, __WASI_RIGHTS_FD_READ, 0x20), INVAL);
  ERR(try_open(dir, "file", 0x10, __WASI_RIGHTS_FD_READ, 0), INVAL);

  drop_scratch(top, "path_open.cleanup", dir);
  return finish();
}
