/* fd_fdstat_set_rights: rights only ever shrink, a dropped right is gone
 * for good, and every operation checks the one it needs; truncation needs
 * PATH_FILESTAT_SET_SIZE at open and FD_FILESTAT_SET_SIZE afterwards; a
 * directory's inheriting rights bound what can be opened through it.
 *
 * An operation without its right fails with ENOTCAPABLE, preview1's errno
 * for exactly that; a few runtimes say EBADF for reads and writes, as POSIX
 * does for a descriptor opened without them, and that is accepted there. */
#include "spec.h"

static __wasi_fd_t dir;

static __wasi_fdstat_t fdstat_of(__wasi_fd_t fd) {
  __wasi_fdstat_t st;
  memset(&st, 0, sizeof st);
  OK(__wasi_fd_fdstat_get(fd, &st));
  return st;
}

static __wasi_filesize_t size_at(const char *path) {
  __wasi_filestat_t st;
  if (__wasi_path_filestat_get(dir, FOLLOW, path, &st)) return (uint64_t)-1;
  return st.size;
}

int main(void) {
  __wasi_fd_t top = test_dir("fs-tests.dir");
  dir = scratch(top, "rights.cleanup");
  MUST(put_file(dir, "file", "0123"));
  __wasi_fd_t fd;
  char buf[8];
  __wasi_iovec_t iov = {(uint8_t *)buf, 4};
  __wasi_ciovec_t ciov = {(const uint8_t *)"abcd", 4};
  __wasi_size_t n;
  __wasi_filesize_t pos;

  section("narrowing a file's rights");
  MUST(__wasi_path_open(dir, NOFOLLOW, "file", 0, FILE_RIGHTS, 0, 0, &fd));
  __wasi_fdstat_t st = fdstat_of(fd);
  EXPECT(st.fs_rights_base == FILE_RIGHTS);
  EXPECT(OK(__wasi_fd_read(fd, &iov, 1, &n)) && n == 4);
  OK(__wasi_fd_fdstat_set_rights(fd, FILE_RIGHTS & ~(__WASI_RIGHTS_FD_READ |
                                                     __WASI_RIGHTS_FD_WRITE),
                                 0));
  st = fdstat_of(fd);
  EXPECT(!(st.fs_rights_base & __WASI_RIGHTS_FD_READ));
  EXPECT(!(st.fs_rights_base & __WASI_RIGHTS_FD_WRITE));
  EXPECT(st.fs_rights_base & __WASI_RIGHTS_FD_SEEK);
  EXPECT(st.fs_rights_inheriting == 0);
  ERR2(__wasi_fd_read(fd, &iov, 1, &n), NOTCAPABLE, BADF);
  ERR2(__wasi_fd_write(fd, &ciov, 1, &n), NOTCAPABLE, BADF);
  ERR2(__wasi_fd_pread(fd, &iov, 1, 0, &n), NOTCAPABLE, BADF);
  ERR2(__wasi_fd_pwrite(fd, &ciov, 1, 0, &n), NOTCAPABLE, BADF);
  EXPECT(holds(dir, "file", "0123"));
  /* What is left still works. */
  EXPECT(OK(__wasi_fd_seek(fd, 1, __WASI_WHENCE_SET, &pos)) && pos == 1);
  /* Nothing dropped comes back, alone or together with what is held. */
  ERR(__wasi_fd_fdstat_set_rights(fd, FILE_RIGHTS, 0), NOTCAPABLE);
  ERR(__wasi_fd_fdstat_set_rights(fd, __WASI_RIGHTS_FD_READ, 0), NOTCAPABLE);
  ERR(__wasi_fd_fdstat_set_rights(fd, st.fs_rights_base,
                                  __WASI_RIGHTS_FD_READ),
      NOTCAPABLE);
  EXPECT(fdstat_of(fd).fs_rights_base == st.fs_rights_base);
  /* Setting the same rights again is allowed. */
  OK(__wasi_fd_fdstat_set_rights(fd, st.fs_rights_base, 0));
  /* One right at a time, each operation stops working as its right goes. */
  OK(__wasi_fd_fdstat_set_rights(fd, st.fs_rights_base & ~__WASI_RIGHTS_FD_SEEK,
                                 0));
  ERR(__wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, &pos), NOTCAPABLE);
  /* Reading the position needs only FD_TELL. */
  EXPECT(OK(__wasi_fd_tell(fd, &pos)) && pos == 1);
  EXPECT(OK(__wasi_fd_seek(fd, 0, __WASI_WHENCE_CUR, &pos)) && pos == 1);
  OK(__wasi_fd_fdstat_set_rights(fd, fdstat_of(fd).fs_rights_base &
                                         ~__WASI_RIGHTS_FD_TELL,
                                 0));
  ERR(__wasi_fd_tell(fd, &pos), NOTCAPABLE);
  __wasi_filestat_t fst;
  EXPECT(OK(__wasi_fd_filestat_get(fd, &fst)) && fst.size == 4);
  OK(__wasi_fd_fdstat_set_rights(fd, fdstat_of(fd).fs_rights_base &
                                         ~__WASI_RIGHTS_FD_FILESTAT_GET,
                                 0));
  ERR(__wasi_fd_filestat_get(fd, &fst), NOTCAPABLE);
  /* With no rights at all the descriptor can still be inspected and closed. */
  OK(__wasi_fd_fdstat_set_rights(fd, 0, 0));
  st = fdstat_of(fd);
  EXPECT(st.fs_rights_base == 0 && st.fs_filetype == __WASI_FILETYPE_REGULAR_FILE);
  ERR(__wasi_fd_fdstat_set_flags(fd, __WASI_FDFLAGS_APPEND), NOTCAPABLE);
  ERR(__wasi_fd_sync(fd), NOTCAPABLE);
  ERR(__wasi_fd_datasync(fd), NOTCAPABLE);
  ERR(__wasi_fd_advise(fd, 0, 0, __WASI_ADVICE_NORMAL), NOTCAPABLE);
  ERR(__wasi_fd_allocate(fd, 0, 1), NOTCAPABLE);
  ERR(__wasi_fd_filestat_set_size(fd, 0), NOTCAPABLE);
  ERR(__wasi_fd_filestat_set_times(fd, 0, 0, __WASI_FSTFLAGS_MTIM_NOW),
      NOTCAPABLE);
  OK(__wasi_fd_close(fd));
  ERR(__wasi_fd_fdstat_set_rights(fd, 0, 0), BADF);
  EXPECT(holds(dir, "file", "0123"));

  section("truncation rights");
  /* Truncating at open needs PATH_FILESTAT_SET_SIZE on the directory, and
   * no right at all on the new descriptor. */
  __wasi_fd_t d;
  MUST(open_dir_at(dir, ".", &d));
  __wasi_fdstat_t dst = fdstat_of(d);
  EXPECT(dst.fs_rights_base & __WASI_RIGHTS_PATH_FILESTAT_SET_SIZE);
  EXPECT(!(dst.fs_rights_base & __WASI_RIGHTS_FD_FILESTAT_SET_SIZE));
  OK(__wasi_fd_fdstat_set_rights(
      d, dst.fs_rights_base,
      dst.fs_rights_inheriting & ~__WASI_RIGHTS_FD_FILESTAT_SET_SIZE));
  MUST(put_file(dir, "t", "to be cut"));
  if (OK(__wasi_path_open(d, NOFOLLOW, "t", __WASI_OFLAGS_TRUNC, 0, 0, 0,
                          &fd)))
    OK(__wasi_fd_close(fd));
  EXPECT(size_at("t") == 0);
  /* ... and the new descriptor cannot be given the right the directory no
   * longer passes on. */
  MUST(put_file(dir, "t", "to be cut"));
  ERR(__wasi_path_open(d, NOFOLLOW, "t", 0,
                       __WASI_RIGHTS_FD_FILESTAT_SET_SIZE, 0, 0, &fd),
      NOTCAPABLE);
  /* Without PATH_FILESTAT_SET_SIZE, O_TRUNC is refused and the file kept. */
  OK(__wasi_fd_fdstat_set_rights(
      d, dst.fs_rights_base & ~__WASI_RIGHTS_PATH_FILESTAT_SET_SIZE,
      dst.fs_rights_inheriting & ~__WASI_RIGHTS_FD_FILESTAT_SET_SIZE));
  EXPECT(!(fdstat_of(d).fs_rights_base & __WASI_RIGHTS_PATH_FILESTAT_SET_SIZE));
  ERR2(__wasi_path_open(d, NOFOLLOW, "t", __WASI_OFLAGS_TRUNC, 0, 0, 0, &fd),
       NOTCAPABLE, PERM);
  EXPECT(size_at("t") == 9);
  /* Opening without O_TRUNC still works. */
  if (OK(__wasi_path_open(d, NOFOLLOW, "t", 0, __WASI_RIGHTS_FD_READ, 0, 0,
                          &fd)))
    OK(__wasi_fd_close(fd));
  OK(__wasi_fd_close(d));
  /* After open, truncating needs FD_FILESTAT_SET_SIZE on the file. */
  MUST(__wasi_path_open(dir, NOFOLLOW, "t", 0,
                        __WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_FILESTAT_GET,
                        0, 0, &fd));
  ERR(__wasi_fd_filestat_set_size(fd, 2), NOTCAPABLE);
  OK(__wasi_fd_close(fd));
  EXPECT(size_at("t") == 9);
  MUST(__wasi_path_open(dir, NOFOLLOW, "t", 0,
                        __WASI_RIGHTS_FD_WRITE |
                            __WASI_RIGHTS_FD_FILESTAT_SET_SIZE,
                        0, 0, &fd));
  OK(__wasi_fd_filestat_set_size(fd, 2));
  OK(__wasi_fd_close(fd));
  EXPECT(size_at("t") == 2 && holds(dir, "t", "to"));

  section("directory rights");
  MUST(open_dir_at(dir, ".", &d));
  dst = fdstat_of(d);
  /* Dropping a path right on a directory stops that operation there. */
  OK(__wasi_fd_fdstat_set_rights(
      d, dst.fs_rights_base & ~__WASI_RIGHTS_PATH_CREATE_DIRECTORY,
      dst.fs_rights_inheriting));
  ERR(__wasi_path_create_directory(d, "sub"), NOTCAPABLE);
  EXPECT(!exists(dir, "sub"));
  OK(__wasi_fd_fdstat_set_rights(
      d, fdstat_of(d).fs_rights_base & ~__WASI_RIGHTS_PATH_FILESTAT_GET,
      dst.fs_rights_inheriting));
  ERR(__wasi_path_filestat_get(d, FOLLOW, "t", &fst), NOTCAPABLE);
  OK(__wasi_fd_fdstat_set_rights(
      d, fdstat_of(d).fs_rights_base & ~__WASI_RIGHTS_PATH_UNLINK_FILE,
      dst.fs_rights_inheriting));
  ERR(__wasi_path_unlink_file(d, "t"), NOTCAPABLE);
  EXPECT(exists(dir, "t"));
  /* Inheriting rights bound what a descriptor opened through it may hold,
   * and a subdirectory opened through it inherits the bound. */
  OK(__wasi_fd_fdstat_set_rights(d, fdstat_of(d).fs_rights_base,
                                 __WASI_RIGHTS_FD_READ |
                                     __WASI_RIGHTS_PATH_OPEN));
  ERR(__wasi_path_open(d, NOFOLLOW, "t", 0, __WASI_RIGHTS_FD_WRITE, 0, 0, &fd),
      NOTCAPABLE);
  if (OK(__wasi_path_open(d, NOFOLLOW, "t", 0, __WASI_RIGHTS_FD_READ, 0, 0,
                          &fd)))
    OK(__wasi_fd_close(fd));
  OK(__wasi_fd_close(d));
  /* A dropped directory right is gone for its descriptor only. */
  OK(__wasi_path_create_directory(dir, "sub"));
  OK(__wasi_path_remove_directory(dir, "sub"));

  drop_scratch(top, "rights.cleanup", dir);
  return finish();
}
