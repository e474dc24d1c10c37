/* Reading and writing a file: fd_pread and fd_pwrite (which never move the
 * position), fd_seek and fd_tell with every whence, holes, unbuffered writes
 * seen at once through a second descriptor, vectored I/O, truncation and
 * extension with fd_filestat_set_size, and syncing.
 *
 * Errnos are Linux's: a negative resulting offset or an unknown whence is
 * EINVAL, seeking or pread on a pipe is ESPIPE (a preview1 stream may also
 * lack the rights, ENOTCAPABLE). */
#include "spec.h"

static __wasi_fd_t dir;

#define RW                                                                    \
  (__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_SEEK |   \
   __WASI_RIGHTS_FD_TELL | __WASI_RIGHTS_FD_FILESTAT_GET |                    \
   __WASI_RIGHTS_FD_FILESTAT_SET_SIZE | __WASI_RIGHTS_FD_SYNC |               \
   __WASI_RIGHTS_FD_DATASYNC)

static __wasi_size_t n;
static char buf[256];

static __wasi_errno_t pwrite_str(__wasi_fd_t fd, const char *s,
                                 __wasi_filesize_t at) {
  __wasi_ciovec_t iov = {(const uint8_t *)s, strlen(s)};
  __wasi_errno_t e = __wasi_fd_pwrite(fd, &iov, 1, at, &n);
  return e ? e : n == strlen(s) ? 0 : __WASI_ERRNO_IO;
}

static __wasi_errno_t write_str(__wasi_fd_t fd, const char *s) {
  __wasi_ciovec_t iov = {(const uint8_t *)s, strlen(s)};
  __wasi_errno_t e = __wasi_fd_write(fd, &iov, 1, &n);
  return e ? e : n == strlen(s) ? 0 : __WASI_ERRNO_IO;
}

/* Reads up to `len` bytes at `at` into buf, NUL terminated. */
static __wasi_errno_t pread_n(__wasi_fd_t fd, size_t len, __wasi_filesize_t at) {
  __wasi_iovec_t iov = {(uint8_t *)buf, len};
  __wasi_errno_t e = __wasi_fd_pread(fd, &iov, 1, at, &n);
  buf[e ? 0 : n] = 0;
  return e;
}

static __wasi_errno_t read_n(__wasi_fd_t fd, size_t len) {
  __wasi_iovec_t iov = {(uint8_t *)buf, len};
  __wasi_errno_t e = __wasi_fd_read(fd, &iov, 1, &n);
  buf[e ? 0 : n] = 0;
  return e;
}

int main(void) {
  __wasi_fd_t top = test_dir("fs-tests.dir");
  dir = scratch(top, "file_io.cleanup");
  __wasi_fd_t fd;
  MUST(__wasi_path_open(dir, NOFOLLOW, "file", __WASI_OFLAGS_CREAT, RW, 0, 0,
                        &fd));
  __wasi_filesize_t pos;

  section("fd_pread and fd_pwrite");
  OK(pwrite_str(fd, "hello", 0));
  EXPECT(fd_position(fd) == 0);
  OK(pwrite_str(fd, "world", 5));
  EXPECT(fd_position(fd) == 0 && fd_size(fd) == 10);
  EXPECT(OK(pread_n(fd, 5, 3)) && strcmp(buf, "lowor") == 0);
  EXPECT(fd_position(fd) == 0);
  /* At and past the end there is nothing to read. */
  EXPECT(OK(pread_n(fd, 5, 10)) && n == 0);
  EXPECT(OK(pread_n(fd, 5, 1000)) && n == 0);
  EXPECT(OK(pread_n(fd, 100, 8)) && strcmp(buf, "ld") == 0);
  /* Writing past the end leaves a hole that reads as zeros. */
  OK(pwrite_str(fd, "!", 15));
  EXPECT(fd_size(fd) == 16);
  EXPECT(OK(pread_n(fd, 16, 0)) && n == 16 && memcmp(buf, "helloworld", 10) == 0 &&
         memcmp(buf + 10, "\0\0\0\0\0!", 6) == 0);
  /* Scattered and gathered. */
  char a[3], b[4];
  __wasi_iovec_t riov[3] = {{(uint8_t *)a, 3}, {(uint8_t *)b, 0},
                            {(uint8_t *)b, 4}};
  EXPECT(OK(__wasi_fd_pread(fd, riov, 3, 1, &n)) && n == 7 &&
         memcmp(a, "ell", 3) == 0 && memcmp(b, "owor", 4) == 0);
  __wasi_ciovec_t wiov[3] = {{(const uint8_t *)"AB", 2},
                             {(const uint8_t *)"", 0},
                             {(const uint8_t *)"CD", 2}};
  EXPECT(OK(__wasi_fd_pwrite(fd, wiov, 3, 2, &n)) && n == 4);
  EXPECT(OK(pread_n(fd, 8, 0)) && strcmp(buf, "heABCDor") == 0);
  EXPECT(fd_position(fd) == 0);
  /* No iovecs: nothing happens. */
  EXPECT(OK(__wasi_fd_pwrite(fd, wiov, 0, 0, &n)) && n == 0);
  EXPECT(OK(__wasi_fd_pread(fd, riov, 0, 0, &n)) && n == 0);
  /* Offsets past the largest signed 64-bit offset are invalid. */
  ERR(pwrite_str(fd, "x", 0x8000000000000000ull), INVAL);
  ERR(pread_n(fd, 1, 0x8000000000000000ull), INVAL);

  section("fd_seek and fd_tell");
  EXPECT(fd_seek_to(fd, 0, __WASI_WHENCE_END) == 16);
  EXPECT(fd_position(fd) == 16);
  EXPECT(fd_seek_to(fd, -6, __WASI_WHENCE_END) == 10);
  EXPECT(fd_seek_to(fd, 2, __WASI_WHENCE_CUR) == 12);
  EXPECT(fd_seek_to(fd, -12, __WASI_WHENCE_CUR) == 0);
  EXPECT(fd_seek_to(fd, 3, __WASI_WHENCE_SET) == 3);
  EXPECT(OK(read_n(fd, 3)) && strcmp(buf, "BCD") == 0 && fd_position(fd) == 6);
  /* A resulting negative offset is refused and the position kept. */
  ERR(__wasi_fd_seek(fd, -1, __WASI_WHENCE_SET, &pos), INVAL);
  ERR(__wasi_fd_seek(fd, -7, __WASI_WHENCE_CUR, &pos), INVAL);
  ERR(__wasi_fd_seek(fd, -17, __WASI_WHENCE_END, &pos), INVAL);
  EXPECT(fd_position(fd) == 6);
  ERR(__wasi_fd_seek(fd, 0, 3, &pos), INVAL);
  ERR(__wasi_fd_seek(fd, 0, 255, &pos), INVAL);
  EXPECT(fd_position(fd) == 6);
  /* Seeking past the end is allowed; writing there makes a hole. */
  EXPECT(fd_seek_to(fd, 20, __WASI_WHENCE_SET) == 20);
  EXPECT(fd_size(fd) == 16);
  EXPECT(OK(read_n(fd, 5)) && n == 0);
  OK(write_str(fd, "end"));
  EXPECT(fd_position(fd) == 23 && fd_size(fd) == 23);
  EXPECT(OK(pread_n(fd, 8, 15)) && n == 8 &&
         memcmp(buf, "!\0\0\0\0end", 8) == 0);

  section("unbuffered writes");
  /* Each write reaches the file before it returns: a second descriptor
   * sees it at once. */
  __wasi_fd_t other;
  MUST(__wasi_path_open(dir, NOFOLLOW, "file", 0, RW, 0, 0, &other));
  EXPECT(fd_seek_to(fd, 0, __WASI_WHENCE_SET) == 0);
  OK(write_str(fd, "X"));
  EXPECT(OK(pread_n(other, 1, 0)) && strcmp(buf, "X") == 0);
  OK(write_str(fd, "Y"));
  EXPECT(OK(read_n(other, 2)) && strcmp(buf, "XY") == 0);
  __wasi_filestat_t st;
  EXPECT(OK(__wasi_path_filestat_get(dir, NOFOLLOW, "file", &st)) &&
         st.size == 23);
  /* Two descriptors have two positions. */
  EXPECT(fd_position(fd) == 2 && fd_position(other) == 2);
  EXPECT(fd_seek_to(other, 10, __WASI_WHENCE_SET) == 10 && fd_position(fd) == 2);
  /* A large write is written whole. */
  static char big[1 << 20];
  memset(big, 'z', sizeof big);
  __wasi_ciovec_t biov = {(const uint8_t *)big, sizeof big};
  EXPECT(OK(__wasi_fd_write(fd, &biov, 1, &n)) && n == sizeof big);
  EXPECT(fd_size(other) == 2 + sizeof big);
  EXPECT(OK(pread_n(other, 4, 2 + sizeof big - 4)) &&
         strcmp(buf, "zzzz") == 0);
  OK(__wasi_fd_close(other));

  section("truncation");
  MUST(__wasi_fd_filestat_set_size(fd, 0));
  OK(pwrite_str(fd, "0123456789", 0));
  EXPECT(fd_seek_to(fd, 8, __WASI_WHENCE_SET) == 8);
  OK(__wasi_fd_filestat_set_size(fd, 4));
  EXPECT(fd_size(fd) == 4);
  /* The position is not moved, and reading from it finds nothing. */
  EXPECT(fd_position(fd) == 8);
  EXPECT(OK(read_n(fd, 4)) && n == 0);
  EXPECT(OK(pread_n(fd, 10, 0)) && strcmp(buf, "0123") == 0);
  /* Growing fills with zeros. */
  OK(__wasi_fd_filestat_set_size(fd, 8));
  EXPECT(OK(pread_n(fd, 10, 0)) && n == 8 &&
         memcmp(buf, "0123\0\0\0\0", 8) == 0);
  OK(__wasi_fd_filestat_set_size(fd, 8));
  EXPECT(fd_size(fd) == 8);
  OK(__wasi_fd_filestat_set_size(fd, 0));
  EXPECT(fd_size(fd) == 0);
  /* A size that does not fit a signed offset: EINVAL, as ftruncate(2)
   * says for a negative one; some hosts say EFBIG. */
  ERR2(__wasi_fd_filestat_set_size(fd, 0xffffffffffffffffull), INVAL, FBIG);
  EXPECT(fd_size(fd) == 0);

  section("syncing");
  OK(pwrite_str(fd, "durable", 0));
  OK(__wasi_fd_sync(fd));
  OK(__wasi_fd_datasync(fd));
  __wasi_fd_t ro;
  MUST(__wasi_path_open(dir, NOFOLLOW, "file", 0,
                        __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_SYNC |
                            __WASI_RIGHTS_FD_DATASYNC,
                        0, 0, &ro));
  /* fsync(2) works through a read-only descriptor too. */
  OK(__wasi_fd_sync(ro));
  OK(__wasi_fd_datasync(ro));
  OK(__wasi_fd_close(ro));
  MUST(__wasi_path_open(dir, NOFOLLOW, "file", 0, __WASI_RIGHTS_FD_READ, 0, 0,
                        &ro));
  ERR(__wasi_fd_sync(ro), NOTCAPABLE);
  ERR(__wasi_fd_datasync(ro), NOTCAPABLE);
  OK(__wasi_fd_close(ro));
  OK(__wasi_fd_close(fd));
  EXPECT(holds(dir, "file", "durable"));

  section("streams do not seek");
  /* Standard output is a pipe under a test runner. */
  ERR2(__wasi_fd_seek(1, 0, __WASI_WHENCE_SET, &pos), SPIPE, NOTCAPABLE);
  ERR2(__wasi_fd_tell(1, &pos), SPIPE, NOTCAPABLE);
  __wasi_ciovec_t none = {(const uint8_t *)"", 0};
  ERR2(__wasi_fd_pwrite(1, &none, 1, 0, &n), SPIPE, NOTCAPABLE);
  ERR(__wasi_fd_seek(0x7fffffff, 0, __WASI_WHENCE_SET, &pos), BADF);
  ERR(__wasi_fd_tell(0x7fffffff, &pos), BADF);

  drop_scratch(top, "file_io.cleanup", dir);
  return finish();
}
