/* Opening files and doing I/O on them: path_open's flags and errors, the
 * read/write/seek family, stat, size, allocate, advise, sync, fdstat flags
 * (O_APPEND) and the preopen's own description. The sandbox is fd 3. */
#include <stdint.h>
#include <wasi/api.h>

#include "fsutil.h"

#define DIR_RIGHTS                                                            \
  (__WASI_RIGHTS_PATH_OPEN | __WASI_RIGHTS_FD_READDIR |                       \
   __WASI_RIGHTS_PATH_CREATE_FILE | __WASI_RIGHTS_PATH_CREATE_DIRECTORY |     \
   __WASI_RIGHTS_PATH_FILESTAT_GET | __WASI_RIGHTS_FD_FILESTAT_GET)

/* The raw import, so that a path can be passed with an explicit length
 * (wasi-libc's wrapper measures it with strlen). */
__attribute__((import_module("wasi_snapshot_preview1"),
               import_name("path_open"))) int32_t
raw_path_open(int32_t fd, int32_t dirflags, const char *path, int32_t path_len,
              int32_t oflags, int64_t base, int64_t inheriting,
              int32_t fdflags, __wasi_fd_t *out);

static __wasi_fd_t open_file(const char *path, __wasi_oflags_t oflags,
                             __wasi_fdflags_t fdflags) {
  __wasi_fd_t fd = 0;
  CHECK_ERRNO(__wasi_path_open(SANDBOX, FOLLOW, path, oflags, FILE_RIGHTS, 0,
                               fdflags, &fd),
              __WASI_ERRNO_SUCCESS);
  return fd;
}

static void write_str(__wasi_fd_t fd, const char *s) {
  __wasi_ciovec_t iov = {(const uint8_t *)s, strlen(s)};
  __wasi_size_t n = 0;
  CHECK_ERRNO(__wasi_fd_write(fd, &iov, 1, &n), __WASI_ERRNO_SUCCESS);
  CHECK(n == strlen(s));
}

/* Reads the whole file at `path` from offset 0 into buf, NUL-terminated. */
static size_t slurp(const char *path, char *buf, size_t cap) {
  __wasi_fd_t fd = open_file(path, 0, 0);
  size_t total = 0;
  for (;;) {
    __wasi_iovec_t iov = {(uint8_t *)buf + total, cap - 1 - total};
    __wasi_size_t n = 0;
    CHECK_ERRNO(__wasi_fd_read(fd, &iov, 1, &n), __WASI_ERRNO_SUCCESS);
    if (n == 0) break;
    total += n;
  }
  buf[total] = 0;
  CHECK_ERRNO(__wasi_fd_close(fd), __WASI_ERRNO_SUCCESS);
  return total;
}

static __wasi_filesize_t tell(__wasi_fd_t fd) {
  __wasi_filesize_t pos = 0;
  CHECK_ERRNO(__wasi_fd_tell(fd, &pos), __WASI_ERRNO_SUCCESS);
  return pos;
}

static void test_prestat(void) {
  __wasi_prestat_t pre;
  CHECK_ERRNO(__wasi_fd_prestat_get(SANDBOX, &pre), __WASI_ERRNO_SUCCESS);
  CHECK(pre.tag == __WASI_PREOPENTYPE_DIR);
  CHECK(pre.u.dir.pr_name_len == strlen("/sandbox"));
  char name[16];
  memset(name, '#', sizeof name);
  CHECK_ERRNO(__wasi_fd_prestat_dir_name(SANDBOX, (uint8_t *)name,
                                         pre.u.dir.pr_name_len),
              __WASI_ERRNO_SUCCESS);
  CHECK(memcmp(name, "/sandbox", 8) == 0);
  CHECK(name[8] == '#'); /* nothing written past the length asked for */
  /* The only preopen is fd 3; stdio and unused numbers are not preopens. */
  CHECK_ERRNO(__wasi_fd_prestat_get(SANDBOX + 1, &pre), __WASI_ERRNO_BADF);
  CHECK_ERRNO(__wasi_fd_prestat_get(1, &pre), __WASI_ERRNO_BADF);

  __wasi_fdstat_t st;
  CHECK_ERRNO(__wasi_fd_fdstat_get(SANDBOX, &st), __WASI_ERRNO_SUCCESS);
  CHECK(st.fs_filetype == __WASI_FILETYPE_DIRECTORY);
  CHECK((st.fs_rights_base & DIR_RIGHTS) == DIR_RIGHTS);
  CHECK((st.fs_rights_inheriting & FILE_RIGHTS) == FILE_RIGHTS);
  OK("prestat");
}

static void test_open_flags(void) {
  char buf[64];
  /* CREAT makes a new empty regular file. */
  __wasi_fd_t fd = open_file("new.txt", __WASI_OFLAGS_CREAT, 0);
  __wasi_filestat_t st = fstat_of(fd);
  CHECK(st.filetype == __WASI_FILETYPE_REGULAR_FILE);
  CHECK(st.size == 0);
  CHECK(st.nlink == 1);
  write_str(fd, "hello");
  CHECK(fstat_of(fd).size == 5);
  CHECK_ERRNO(__wasi_fd_close(fd), __WASI_ERRNO_SUCCESS);
  CHECK(slurp("new.txt", buf, sizeof buf) == 5 && strcmp(buf, "hello") == 0);

  /* CREAT on an existing file opens it without truncating. */
  fd = open_file("new.txt", __WASI_OFLAGS_CREAT, 0);
  CHECK(fstat_of(fd).size == 5);
  CHECK_ERRNO(__wasi_fd_close(fd), __WASI_ERRNO_SUCCESS);

  __wasi_fd_t bad = 12345;
  CHECK_ERRNO(__wasi_path_open(SANDBOX, FOLLOW, "new.txt",
                               __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL,
                               FILE_RIGHTS, 0, 0, &bad),
              __WASI_ERRNO_EXIST);
  CHECK_ERRNO(__wasi_path_open(SANDBOX, FOLLOW, "new.txt",
                               __WASI_OFLAGS_DIRECTORY, DIR_RIGHTS, 0, 0, &bad),
              __WASI_ERRNO_NOTDIR);
  CHECK_ERRNO(__wasi_path_open(SANDBOX, FOLLOW, "missing.txt", 0, FILE_RIGHTS,
                               0, 0, &bad),
              __WASI_ERRNO_NOENT);
  CHECK_ERRNO(__wasi_path_open(SANDBOX, FOLLOW, "missing/x.txt",
                               __WASI_OFLAGS_CREAT, FILE_RIGHTS, 0, 0, &bad),
              __WASI_ERRNO_NOENT);
  /* A path that needs a directory where there is a file. */
  CHECK_ERRNO(__wasi_path_open(SANDBOX, FOLLOW, "new.txt/x", 0, FILE_RIGHTS, 0,
                               0, &bad),
              __WASI_ERRNO_NOTDIR);
  CHECK_ERRNO(__wasi_path_open(SANDBOX, FOLLOW, "new.txt/", 0, FILE_RIGHTS, 0,
                               0, &bad),
              __WASI_ERRNO_NOTDIR);
  /* An empty path names nothing, as in POSIX. */
  CHECK_ERRNO(__wasi_path_open(SANDBOX, FOLLOW, "", 0, FILE_RIGHTS, 0, 0, &bad),
              __WASI_ERRNO_NOENT);
  CHECK(bad == 12345); /* failures leave the result slot alone */

  /* A file descriptor is not a directory to resolve paths under. */
  fd = open_file("new.txt", 0, 0);
  CHECK_ERRNO(
      __wasi_path_open(fd, FOLLOW, "x.txt", 0, FILE_RIGHTS, 0, 0, &bad),
      __WASI_ERRNO_NOTDIR);
  CHECK_ERRNO(__wasi_fd_close(fd), __WASI_ERRNO_SUCCESS);

  /* TRUNC empties an existing file. */
  fd = open_file("new.txt", __WASI_OFLAGS_TRUNC, 0);
  CHECK(fstat_of(fd).size == 0);
  CHECK_ERRNO(__wasi_fd_close(fd), __WASI_ERRNO_SUCCESS);
  CHECK(slurp("new.txt", buf, sizeof buf) == 0);

  /* Creating a file inside a subdirectory. */
  CHECK_ERRNO(__wasi_path_create_directory(SANDBOX, "sub"),
              __WASI_ERRNO_SUCCESS);
  fd = open_file("sub/inner.txt", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL, 0);
  write_str(fd, "inner");
  CHECK_ERRNO(__wasi_fd_close(fd), __WASI_ERRNO_SUCCESS);

  /* The preopen itself through ".", and paths under the new handle. */
  __wasi_fd_t dot = 0;
  /* Its inheriting rights bound what it can open, directories included. */
  CHECK_ERRNO(__wasi_path_open(SANDBOX, FOLLOW, ".", __WASI_OFLAGS_DIRECTORY,
                               DIR_RIGHTS, DIR_RIGHTS | FILE_RIGHTS, 0, &dot),
              __WASI_ERRNO_SUCCESS);
  CHECK(dot != SANDBOX);
  __wasi_fdstat_t fdst;
  CHECK_ERRNO(__wasi_fd_fdstat_get(dot, &fdst), __WASI_ERRNO_SUCCESS);
  CHECK(fdst.fs_filetype == __WASI_FILETYPE_DIRECTORY);
  __wasi_prestat_t pre;
  CHECK_ERRNO(__wasi_fd_prestat_get(dot, &pre), __WASI_ERRNO_BADF);
  __wasi_fd_t sub = 0;
  CHECK_ERRNO(__wasi_path_open(dot, FOLLOW, "sub", __WASI_OFLAGS_DIRECTORY,
                               DIR_RIGHTS, FILE_RIGHTS, 0, &sub),
              __WASI_ERRNO_SUCCESS);
  CHECK_ERRNO(__wasi_path_open(sub, FOLLOW, "inner.txt", 0, FILE_RIGHTS, 0, 0,
                               &fd),
              __WASI_ERRNO_SUCCESS);
  CHECK_ERRNO(__wasi_fd_read(fd, &(__wasi_iovec_t){(uint8_t *)buf, 5}, 1,
                             &(__wasi_size_t){0}),
              __WASI_ERRNO_SUCCESS);
  CHECK(memcmp(buf, "inner", 5) == 0);
  CHECK_ERRNO(__wasi_fd_close(fd), __WASI_ERRNO_SUCCESS);
  /* "a/.." stays inside and names the directory itself. */
  __wasi_fd_t again = 0;
  CHECK_ERRNO(__wasi_path_open(SANDBOX, FOLLOW, "sub/..",
                               __WASI_OFLAGS_DIRECTORY, DIR_RIGHTS, FILE_RIGHTS,
                               0, &again),
              __WASI_ERRNO_SUCCESS);
  __wasi_filestat_t a = fstat_of(again), b = fstat_of(SANDBOX);
  CHECK(a.ino == b.ino && a.dev == b.dev);
  CHECK_ERRNO(__wasi_fd_close(again), __WASI_ERRNO_SUCCESS);
  CHECK_ERRNO(__wasi_fd_close(sub), __WASI_ERRNO_SUCCESS);
  CHECK_ERRNO(__wasi_fd_close(dot), __WASI_ERRNO_SUCCESS);

  /* A closed descriptor is gone. */
  CHECK_ERRNO(__wasi_fd_close(dot), __WASI_ERRNO_BADF);
  CHECK_ERRNO(__wasi_fd_fdstat_get(dot, &fdst), __WASI_ERRNO_BADF);
  OK("path_open");
}

static void test_bad_path_bytes(void) {
  __wasi_fd_t fd = 12345;
  /* Non-UTF-8 bytes cannot name anything. */
  CHECK_ERRNO(raw_path_open(SANDBOX, FOLLOW, "bad\xff\xfe", 5,
                            __WASI_OFLAGS_CREAT, FILE_RIGHTS, 0, 0, &fd),
              __WASI_ERRNO_ILSEQ);
  /* A length that takes in a NUL. */
  CHECK_ERRNO(raw_path_open(SANDBOX, FOLLOW, "nul.txt\0", 8,
                            __WASI_OFLAGS_CREAT, FILE_RIGHTS, 0, 0, &fd),
              __WASI_ERRNO_INVAL);
  CHECK(fd == 12345);
  /* The length, not a terminator, bounds the path. */
  CHECK_ERRNO(raw_path_open(SANDBOX, FOLLOW, "exact.txtGARBAGE", 9,
                            __WASI_OFLAGS_CREAT, FILE_RIGHTS, 0, 0, &fd),
              __WASI_ERRNO_SUCCESS);
  CHECK_ERRNO(__wasi_fd_close(fd), __WASI_ERRNO_SUCCESS);
  __wasi_filestat_t st;
  CHECK_ERRNO(__wasi_path_filestat_get(SANDBOX, 0, "exact.txt", &st),
              __WASI_ERRNO_SUCCESS);
  CHECK_ERRNO(__wasi_path_unlink_file(SANDBOX, "exact.txt"),
              __WASI_ERRNO_SUCCESS);
  OK("path bytes");
}

static void test_read_write_seek(void) {
  __wasi_fd_t fd = open_file("io.txt", __WASI_OFLAGS_CREAT, 0);
  CHECK(tell(fd) == 0);
  /* Gather write from three buffers, one of them empty. On a regular file
   * writev and readv move every byte in one call, so no short counts. */
  __wasi_ciovec_t out[3] = {
      {(const uint8_t *)"abc", 3}, {(const uint8_t *)"", 0},
      {(const uint8_t *)"defgh", 5}};
  __wasi_size_t n = 0;
  CHECK_ERRNO(__wasi_fd_write(fd, out, 3, &n), __WASI_ERRNO_SUCCESS);
  CHECK(n == 8);
  CHECK(tell(fd) == 8);

  __wasi_filesize_t pos = 99;
  CHECK_ERRNO(__wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, &pos),
              __WASI_ERRNO_SUCCESS);
  CHECK(pos == 0);
  /* Scatter read into two buffers. */
  char a[2], b[10];
  __wasi_iovec_t in[2] = {{(uint8_t *)a, 2}, {(uint8_t *)b, sizeof b}};
  CHECK_ERRNO(__wasi_fd_read(fd, in, 2, &n), __WASI_ERRNO_SUCCESS);
  CHECK(n == 8);
  CHECK(memcmp(a, "ab", 2) == 0 && memcmp(b, "cdefgh", 6) == 0);
  /* At end of file a read returns 0 bytes. */
  CHECK_ERRNO(__wasi_fd_read(fd, in, 2, &n), __WASI_ERRNO_SUCCESS);
  CHECK(n == 0);

  CHECK_ERRNO(__wasi_fd_seek(fd, -3, __WASI_WHENCE_END, &pos),
              __WASI_ERRNO_SUCCESS);
  CHECK(pos == 5);
  CHECK_ERRNO(__wasi_fd_seek(fd, -2, __WASI_WHENCE_CUR, &pos),
              __WASI_ERRNO_SUCCESS);
  CHECK(pos == 3);
  CHECK(tell(fd) == 3);
  /* Seeking before the start fails and leaves the position alone. */
  CHECK_ERRNO(__wasi_fd_seek(fd, -4, __WASI_WHENCE_CUR, &pos),
              __WASI_ERRNO_INVAL);
  CHECK(tell(fd) == 3);
  /* An out-of-range enum is an errno, never a trap. */
  CHECK_ERRNO(__wasi_fd_seek(fd, 0, 3, &pos), __WASI_ERRNO_INVAL); /* bad enum */
  /* Seeking past the end is allowed; writing there leaves a zero gap. */
  CHECK_ERRNO(__wasi_fd_seek(fd, 10, __WASI_WHENCE_SET, &pos),
              __WASI_ERRNO_SUCCESS);
  write_str(fd, "Z");
  CHECK(fstat_of(fd).size == 11);

  /* pread/pwrite use their own offset and do not move the position. */
  CHECK_ERRNO(__wasi_fd_seek(fd, 1, __WASI_WHENCE_SET, &pos),
              __WASI_ERRNO_SUCCESS);
  char p[4] = {0};
  __wasi_iovec_t piov = {(uint8_t *)p, 4};
  CHECK_ERRNO(__wasi_fd_pread(fd, &piov, 1, 6, &n), __WASI_ERRNO_SUCCESS);
  CHECK(n == 4 && memcmp(p, "gh\0\0", 4) == 0);
  CHECK(tell(fd) == 1);
  __wasi_ciovec_t pw = {(const uint8_t *)"XY", 2};
  CHECK_ERRNO(__wasi_fd_pwrite(fd, &pw, 1, 2, &n), __WASI_ERRNO_SUCCESS);
  CHECK(n == 2);
  CHECK(tell(fd) == 1);
  /* pwrite beyond the end extends the file. */
  CHECK_ERRNO(__wasi_fd_pwrite(fd, &pw, 1, 20, &n), __WASI_ERRNO_SUCCESS);
  CHECK(fstat_of(fd).size == 22);
  /* pread at or past the end reads nothing. */
  CHECK_ERRNO(__wasi_fd_pread(fd, &piov, 1, 22, &n), __WASI_ERRNO_SUCCESS);
  CHECK(n == 0);
  CHECK_ERRNO(__wasi_fd_pread(fd, &piov, 1, 1000, &n), __WASI_ERRNO_SUCCESS);
  CHECK(n == 0);
  CHECK_ERRNO(__wasi_fd_close(fd), __WASI_ERRNO_SUCCESS);

  char all[64];
  CHECK(slurp("io.txt", all, sizeof all) == 22);
  CHECK(memcmp(all, "abXYefgh\0\0Z\0\0\0\0\0\0\0\0\0XY", 22) == 0);

  OK("read/write/seek/tell/pread/pwrite");
}

static void test_stat_and_size(void) {
  __wasi_fd_t fd = open_file("size.txt", __WASI_OFLAGS_CREAT, 0);
  write_str(fd, "0123456789");
  __wasi_filestat_t st = fstat_of(fd);
  __wasi_filestat_t ps;
  CHECK_ERRNO(__wasi_path_filestat_get(SANDBOX, FOLLOW, "size.txt", &ps),
              __WASI_ERRNO_SUCCESS);
  CHECK(st.ino == ps.ino && st.dev == ps.dev && st.size == 10 &&
        ps.size == 10);
  CHECK(ps.filetype == __WASI_FILETYPE_REGULAR_FILE);

  /* Shrinking keeps the prefix and leaves the position alone. */
  CHECK_ERRNO(__wasi_fd_filestat_set_size(fd, 4), __WASI_ERRNO_SUCCESS);
  CHECK(fstat_of(fd).size == 4);
  CHECK(tell(fd) == 10);
  /* Growing fills with zeros. */
  CHECK_ERRNO(__wasi_fd_filestat_set_size(fd, 8), __WASI_ERRNO_SUCCESS);
  CHECK(fstat_of(fd).size == 8);
  CHECK_ERRNO(__wasi_fd_close(fd), __WASI_ERRNO_SUCCESS);
  char buf[16];
  CHECK(slurp("size.txt", buf, sizeof buf) == 8);
  CHECK(memcmp(buf, "0123\0\0\0\0", 8) == 0);

  __wasi_filestat_t ds = fstat_of(SANDBOX);
  CHECK(ds.filetype == __WASI_FILETYPE_DIRECTORY);
  OK("filestat/set_size");
}

static void test_allocate_advise_sync(void) {
  __wasi_fd_t fd = open_file("alloc.txt", __WASI_OFLAGS_CREAT, 0);
  write_str(fd, "abc");
  /* Like posix_fallocate: the file grows to cover the range, data stays. */
  CHECK_ERRNO(__wasi_fd_allocate(fd, 0, 100), __WASI_ERRNO_SUCCESS);
  CHECK(fstat_of(fd).size == 100);
  CHECK_ERRNO(__wasi_fd_allocate(fd, 200, 56), __WASI_ERRNO_SUCCESS);
  CHECK(fstat_of(fd).size == 256);
  /* A range inside the file changes nothing. */
  CHECK_ERRNO(__wasi_fd_allocate(fd, 10, 10), __WASI_ERRNO_SUCCESS);
  CHECK(fstat_of(fd).size == 256);
  char p[3];
  __wasi_iovec_t iov = {(uint8_t *)p, 3};
  __wasi_size_t n;
  CHECK_ERRNO(__wasi_fd_pread(fd, &iov, 1, 0, &n), __WASI_ERRNO_SUCCESS);
  CHECK(n == 3 && memcmp(p, "abc", 3) == 0);

  for (int advice = __WASI_ADVICE_NORMAL; advice <= __WASI_ADVICE_NOREUSE;
       advice++)
    CHECK_ERRNO(__wasi_fd_advise(fd, 0, 64, (__wasi_advice_t)advice),
                __WASI_ERRNO_SUCCESS);
  CHECK_ERRNO(__wasi_fd_advise(fd, 0, 64, 6), __WASI_ERRNO_INVAL); /* bad enum */

  CHECK_ERRNO(__wasi_fd_datasync(fd), __WASI_ERRNO_SUCCESS);
  CHECK_ERRNO(__wasi_fd_sync(fd), __WASI_ERRNO_SUCCESS);
  CHECK_ERRNO(__wasi_fd_close(fd), __WASI_ERRNO_SUCCESS);
  CHECK_ERRNO(__wasi_fd_sync(fd), __WASI_ERRNO_BADF);
  CHECK_ERRNO(__wasi_fd_datasync(fd), __WASI_ERRNO_BADF);
  CHECK_ERRNO(__wasi_fd_allocate(fd, 0, 1), __WASI_ERRNO_BADF);
  OK("allocate/advise/datasync/sync");
}

static void test_append(void) {
  __wasi_fd_t fd = open_file("append.txt", __WASI_OFLAGS_CREAT, 0);
  write_str(fd, "0123456789");
  __wasi_fdstat_t st;
  CHECK_ERRNO(__wasi_fd_fdstat_get(fd, &st), __WASI_ERRNO_SUCCESS);
  CHECK(st.fs_filetype == __WASI_FILETYPE_REGULAR_FILE);
  CHECK(st.fs_flags == 0);
  CHECK((st.fs_rights_base & FILE_RIGHTS) == FILE_RIGHTS);

  CHECK_ERRNO(__wasi_fd_fdstat_set_flags(fd, __WASI_FDFLAGS_APPEND),
              __WASI_ERRNO_SUCCESS);
  CHECK_ERRNO(__wasi_fd_fdstat_get(fd, &st), __WASI_ERRNO_SUCCESS);
  CHECK(st.fs_flags == __WASI_FDFLAGS_APPEND);
  __wasi_filesize_t pos;
  CHECK_ERRNO(__wasi_fd_seek(fd, 2, __WASI_WHENCE_SET, &pos),
              __WASI_ERRNO_SUCCESS);
  write_str(fd, "ab"); /* goes to the end despite the seek */
  CHECK(tell(fd) == 12);
  /* Linux ignores pwrite's offset on an O_APPEND descriptor and appends. */
  __wasi_ciovec_t pw = {(const uint8_t *)"cd", 2};
  __wasi_size_t n;
  CHECK_ERRNO(__wasi_fd_pwrite(fd, &pw, 1, 0, &n), __WASI_ERRNO_SUCCESS);
  CHECK(n == 2);
  CHECK(fstat_of(fd).size == 14);

  /* Clearing APPEND brings back positioned writes. */
  CHECK_ERRNO(__wasi_fd_fdstat_set_flags(fd, 0), __WASI_ERRNO_SUCCESS);
  CHECK_ERRNO(__wasi_fd_fdstat_get(fd, &st), __WASI_ERRNO_SUCCESS);
  CHECK(st.fs_flags == 0);
  CHECK_ERRNO(__wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, &pos),
              __WASI_ERRNO_SUCCESS);
  write_str(fd, "W");
  CHECK_ERRNO(__wasi_fd_close(fd), __WASI_ERRNO_SUCCESS);
  char buf[32];
  CHECK(slurp("append.txt", buf, sizeof buf) == 14);
  CHECK(strcmp(buf, "W123456789abcd") == 0);

  /* APPEND given at open time. */
  fd = open_file("append.txt", 0, __WASI_FDFLAGS_APPEND);
  CHECK_ERRNO(__wasi_fd_fdstat_get(fd, &st), __WASI_ERRNO_SUCCESS);
  CHECK(st.fs_flags & __WASI_FDFLAGS_APPEND);
  write_str(fd, "!");
  CHECK_ERRNO(__wasi_fd_close(fd), __WASI_ERRNO_SUCCESS);
  CHECK(slurp("append.txt", buf, sizeof buf) == 15);
  CHECK(strcmp(buf, "W123456789abcd!") == 0);

  /* wasi-libc's O_APPEND takes the same road. */
  FILE *f = fopen("/sandbox/append.txt", "a");
  CHECK(f != NULL);
  CHECK(fputs("?", f) >= 0);
  CHECK(fclose(f) == 0);
  CHECK(slurp("append.txt", buf, sizeof buf) == 16);
  CHECK(strcmp(buf, "W123456789abcd!?") == 0);
  OK("fdstat flags/append");
}

int main(void) {
  test_prestat();
  test_open_flags();
  test_bad_path_bytes();
  test_read_write_seek();
  test_stat_and_size();
  test_allocate_advise_sync();
  test_append();
  OK("fs_files");
  return 0;
}
