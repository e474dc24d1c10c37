/* The fd table outside path resolution: stdio, fd_close, fd_renumber,
 * fd_prestat_* on things that are not preopens, and EBADF everywhere.
 *
 * Expects preopens "/sandbox" (fd 3, read-write) and "/second" (fd 4,
 * read-write, an empty directory).
 *
 * Usage: misc_fd stdio     stdin must hold STDIN_BYTES; writes RAW_STDOUT to
 *                          stdout and RAW_STDERR plus BIG_LEN pattern bytes
 *                          to stderr
 *        misc_fd close
 *        misc_fd renumber
 *        misc_fd badfd */
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wasi/api.h>

#include "check.h"

#define SANDBOX_FD 3
#define SECOND_FD 4
/* Includes a NUL and bytes that are not UTF-8: stdin is bytes, not text. */
#define STDIN_BYTES "stdin line one\nline two \x00\xff\xfe end"
#define STDIN_LEN (sizeof STDIN_BYTES - 1)
#define BIG_LEN 65537

static __wasi_fdstat_t fdstat(__wasi_fd_t fd) {
  __wasi_fdstat_t st;
  CHECK_ERRNO(__wasi_fd_fdstat_get(fd, &st), __WASI_ERRNO_SUCCESS);
  return st;
}

/* Creates `path` under /sandbox holding `text` and returns an fd for it,
 * positioned at the start. */
static int file_with(const char *path, const char *text) {
  int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
  CHECK(fd >= 0);
  CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
  CHECK(lseek(fd, 0, SEEK_SET) == 0);
  return fd;
}

/* Checks that `fd` is an open regular file holding exactly `text`. */
static void holds(__wasi_fd_t fd, const char *text) {
  CHECK(fdstat(fd).fs_filetype == __WASI_FILETYPE_REGULAR_FILE);
  char buf[64];
  __wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf};
  __wasi_size_t n = 0;
  CHECK_ERRNO(__wasi_fd_pread(fd, &iov, 1, 0, &n), __WASI_ERRNO_SUCCESS);
  CHECK(n == strlen(text));
  CHECK(memcmp(buf, text, n) == 0);
}

static void is_closed(__wasi_fd_t fd) {
  __wasi_fdstat_t st;
  CHECK_ERRNO(__wasi_fd_fdstat_get(fd, &st), __WASI_ERRNO_BADF);
}

/* ---- stdio ---------------------------------------------------------- */

static void stdio(void) {
  /* The host wired all three to pipes, not terminals. */
  for (__wasi_fd_t fd = 0; fd <= 2; fd++) {
    __wasi_fdstat_t st = fdstat(fd);
    CHECK(st.fs_filetype != __WASI_FILETYPE_DIRECTORY);
    CHECK(st.fs_filetype != __WASI_FILETYPE_REGULAR_FILE);
    CHECK(st.fs_filetype != __WASI_FILETYPE_SYMBOLIC_LINK);
    CHECK(!isatty((int)fd));
    /* A pipe cannot seek. Without the seek right that is a rights
     * failure; with it, the host's answer is ESPIPE as lseek(2) gives. */
    __wasi_filesize_t pos = 0;
    __wasi_errno_t want = (st.fs_rights_base & __WASI_RIGHTS_FD_SEEK)
                              ? __WASI_ERRNO_SPIPE
                              : __WASI_ERRNO_NOTCAPABLE;
    CHECK_ERRNO(__wasi_fd_seek(fd, 1, __WASI_WHENCE_SET, &pos), want);
  }
  CHECK(fdstat(0).fs_rights_base & __WASI_RIGHTS_FD_READ);
  CHECK(fdstat(1).fs_rights_base & __WASI_RIGHTS_FD_WRITE);
  CHECK(fdstat(2).fs_rights_base & __WASI_RIGHTS_FD_WRITE);
  /* Stdio is not a preopen. */
  __wasi_prestat_t pre;
  for (__wasi_fd_t fd = 0; fd <= 2; fd++)
    CHECK_ERRNO(__wasi_fd_prestat_get(fd, &pre), __WASI_ERRNO_BADF);
  OK("stdio fdstat");

  /* stdin, read through scattered iovecs including an empty one, to the
   * end and once more past it. */
  uint8_t got[STDIN_LEN + 32];
  size_t total = 0;
  for (;;) {
    uint8_t *p = got + total;
    size_t room = sizeof got - total;
    CHECK(room >= 6);
    __wasi_iovec_t iovs[3] = {{p, 1}, {p + 1, 0}, {p + 1, 5}};
    __wasi_size_t n = 0;
    CHECK_ERRNO(__wasi_fd_read(0, iovs, 3, &n), __WASI_ERRNO_SUCCESS);
    if (n == 0) break;
    CHECK(n <= 6);
    total += n;
  }
  CHECK(total == STDIN_LEN);
  CHECK(memcmp(got, STDIN_BYTES, STDIN_LEN) == 0);
  __wasi_iovec_t one = {got, sizeof got};
  __wasi_size_t n = 1;
  CHECK_ERRNO(__wasi_fd_read(0, &one, 1, &n), __WASI_ERRNO_SUCCESS);
  CHECK(n == 0);
  OK("stdin holds the host's bytes");

  /* Keep wasi-libc's buffered output ahead of the raw writes below. */
  fflush(stdout);
  __wasi_ciovec_t out[3] = {
      {(const uint8_t *)"raw ", 4}, {(const uint8_t *)"", 0}, {(const uint8_t *)"stdout\n", 7}};
  CHECK_ERRNO(__wasi_fd_write(1, out, 3, &n), __WASI_ERRNO_SUCCESS);
  /* write(2) may stop short, even on a gathered write; finish the line so
   * the host sees it whole either way. */
  CHECK(n > 0 && n <= 11);
  for (size_t done = n; done < 11; done += n) {
    __wasi_ciovec_t rest = {(const uint8_t *)"raw stdout\n" + done, 11 - done};
    CHECK_ERRNO(__wasi_fd_write(1, &rest, 1, &n), __WASI_ERRNO_SUCCESS);
    CHECK(n > 0);
  }
  /* Zero iovecs write nothing and succeed. */
  CHECK_ERRNO(__wasi_fd_write(1, out, 0, &n), __WASI_ERRNO_SUCCESS);
  CHECK(n == 0);

  __wasi_ciovec_t err = {(const uint8_t *)"raw stderr\n", 11};
  CHECK_ERRNO(__wasi_fd_write(2, &err, 1, &n), __WASI_ERRNO_SUCCESS);
  CHECK(n == 11);
  /* A large write may be split by the host, but every byte arrives. */
  uint8_t *big = malloc(BIG_LEN);
  CHECK(big != NULL);
  for (size_t i = 0; i < BIG_LEN; i++) big[i] = (uint8_t)('a' + i % 26);
  size_t done = 0;
  while (done < BIG_LEN) {
    __wasi_ciovec_t c = {big + done, BIG_LEN - done};
    CHECK_ERRNO(__wasi_fd_write(2, &c, 1, &n), __WASI_ERRNO_SUCCESS);
    CHECK(n > 0);
    done += n;
  }
  free(big);
  OK("stdout and stderr writes");
}

/* ---- fd_close ------------------------------------------------------- */

static void closing(void) {
  int fd = file_with("/sandbox/close.txt", "x");
  CHECK_ERRNO(__wasi_fd_close((__wasi_fd_t)fd), __WASI_ERRNO_SUCCESS);
  CHECK_ERRNO(__wasi_fd_close((__wasi_fd_t)fd), __WASI_ERRNO_BADF);
  is_closed((__wasi_fd_t)fd);
  uint8_t b;
  __wasi_iovec_t iov = {&b, 1};
  __wasi_size_t n;
  CHECK_ERRNO(__wasi_fd_read((__wasi_fd_t)fd, &iov, 1, &n), __WASI_ERRNO_BADF);
  OK("closing twice gives EBADF");

  CHECK_ERRNO(__wasi_fd_close(99), __WASI_ERRNO_BADF);
  CHECK_ERRNO(__wasi_fd_close(0xffffffffu), __WASI_ERRNO_BADF);
  OK("closing an fd never opened gives EBADF");

  /* stdin is an fd like any other. */
  CHECK_ERRNO(__wasi_fd_close(0), __WASI_ERRNO_SUCCESS);
  CHECK_ERRNO(__wasi_fd_read(0, &iov, 1, &n), __WASI_ERRNO_BADF);
  is_closed(0);
  OK("closing stdin");

  /* So is a preopen: once closed, paths under it are gone too. */
  CHECK_ERRNO(__wasi_fd_close(SECOND_FD), __WASI_ERRNO_SUCCESS);
  __wasi_prestat_t pre;
  CHECK_ERRNO(__wasi_fd_prestat_get(SECOND_FD, &pre), __WASI_ERRNO_BADF);
  __wasi_fd_t opened;
  CHECK_ERRNO(__wasi_path_open(SECOND_FD, 0, "x", __WASI_OFLAGS_CREAT,
                               __WASI_RIGHTS_FD_READ, 0, 0, &opened),
              __WASI_ERRNO_BADF);
  OK("closing a preopen");

  /* The table keeps working after all that. */
  int again = file_with("/sandbox/close.txt", "again");
  holds((__wasi_fd_t)again, "again");
  CHECK(close(again) == 0);
  CHECK(unlink("/sandbox/close.txt") == 0);
  OK("fds open after closes");
}

/* ---- fd_renumber ---------------------------------------------------- */

static void renumbering(void) {
  int a = file_with("/sandbox/a.txt", "AAA");
  int b = file_with("/sandbox/b.txt", "BBB");

  /* Onto itself: nothing happens, and the fd stays open. */
  CHECK_ERRNO(__wasi_fd_renumber((__wasi_fd_t)a, (__wasi_fd_t)a), __WASI_ERRNO_SUCCESS);
  holds((__wasi_fd_t)a, "AAA");
  OK("renumber onto itself");

  /* Onto another open fd: like dup2, the target's old file is closed and
   * the source number is freed. */
  CHECK_ERRNO(__wasi_fd_renumber((__wasi_fd_t)b, (__wasi_fd_t)a), __WASI_ERRNO_SUCCESS);
  holds((__wasi_fd_t)a, "BBB");
  is_closed((__wasi_fd_t)b);
  OK("renumber onto an open fd");

  /* From a closed fd: EBADF, and the target is untouched. */
  CHECK_ERRNO(__wasi_fd_renumber((__wasi_fd_t)b, (__wasi_fd_t)a), __WASI_ERRNO_BADF);
  CHECK_ERRNO(__wasi_fd_renumber(1234, (__wasi_fd_t)a), __WASI_ERRNO_BADF);
  holds((__wasi_fd_t)a, "BBB");
  /* Onto a closed fd: EBADF, and the source is untouched. */
  CHECK_ERRNO(__wasi_fd_renumber((__wasi_fd_t)a, (__wasi_fd_t)b), __WASI_ERRNO_BADF);
  CHECK_ERRNO(__wasi_fd_renumber((__wasi_fd_t)a, 0xffffffffu), __WASI_ERRNO_BADF);
  holds((__wasi_fd_t)a, "BBB");
  is_closed((__wasi_fd_t)b);
  OK("renumber from or to a closed fd gives EBADF");

  /* Onto a preopen: the directory handle is gone and the number now names
   * the file, which is no preopen. */
  int c = file_with("/sandbox/c.txt", "CCC");
  CHECK_ERRNO(__wasi_fd_renumber((__wasi_fd_t)c, SECOND_FD), __WASI_ERRNO_SUCCESS);
  holds(SECOND_FD, "CCC");
  is_closed((__wasi_fd_t)c);
  __wasi_prestat_t pre;
  CHECK_ERRNO(__wasi_fd_prestat_get(SECOND_FD, &pre), __WASI_ERRNO_BADF);
  OK("renumber a file onto a preopen");

  /* A preopen moved elsewhere keeps its name and its directory: it still
   * opens paths beneath it. From here on only raw calls are used, since
   * wasi-libc's own table of preopens no longer matches. */
  __wasi_fdstat_t dir = fdstat(SANDBOX_FD);
  CHECK(dir.fs_filetype == __WASI_FILETYPE_DIRECTORY);
  CHECK_ERRNO(__wasi_fd_renumber(SANDBOX_FD, (__wasi_fd_t)a), __WASI_ERRNO_SUCCESS);
  is_closed(SANDBOX_FD);
  CHECK_ERRNO(__wasi_fd_prestat_get((__wasi_fd_t)a, &pre), __WASI_ERRNO_SUCCESS);
  CHECK(pre.tag == __WASI_PREOPENTYPE_DIR);
  CHECK(pre.u.dir.pr_name_len == strlen("/sandbox"));
  char name[16] = {0};
  CHECK_ERRNO(__wasi_fd_prestat_dir_name((__wasi_fd_t)a, (uint8_t *)name, pre.u.dir.pr_name_len),
              __WASI_ERRNO_SUCCESS);
  CHECK(memcmp(name, "/sandbox", 8) == 0);
  __wasi_fdstat_t moved = fdstat((__wasi_fd_t)a);
  CHECK(moved.fs_filetype == __WASI_FILETYPE_DIRECTORY);
  CHECK(moved.fs_rights_base == dir.fs_rights_base);
  CHECK(moved.fs_rights_inheriting == dir.fs_rights_inheriting);
  __wasi_fd_t f;
  /* fd_pread needs the seek right as well as the read right. */
  CHECK_ERRNO(__wasi_path_open((__wasi_fd_t)a, 0, "c.txt", 0,
                               __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_SEEK, 0, 0, &f),
              __WASI_ERRNO_SUCCESS);
  holds(f, "CCC");
  CHECK_ERRNO(__wasi_fd_close(f), __WASI_ERRNO_SUCCESS);
  OK("renumber a preopen elsewhere");

  /* Tidy up through the moved handle. */
  CHECK_ERRNO(__wasi_path_unlink_file((__wasi_fd_t)a, "a.txt"), __WASI_ERRNO_SUCCESS);
  CHECK_ERRNO(__wasi_path_unlink_file((__wasi_fd_t)a, "b.txt"), __WASI_ERRNO_SUCCESS);
  CHECK_ERRNO(__wasi_path_unlink_file((__wasi_fd_t)a, "c.txt"), __WASI_ERRNO_SUCCESS);
  CHECK_ERRNO(__wasi_fd_close(SECOND_FD), __WASI_ERRNO_SUCCESS);
}

/* ---- EBADF everywhere ----------------------------------------------- */

static void ebadf_for(__wasi_fd_t bad) {
  uint8_t buf[64];
  __wasi_iovec_t iov = {buf, sizeof buf};
  __wasi_ciovec_t ciov = {buf, sizeof buf};
  __wasi_size_t n;
  __wasi_filesize_t pos;
  __wasi_fdstat_t st;
  __wasi_filestat_t fst;
  __wasi_prestat_t pre;
  __wasi_fd_t opened;
  const __wasi_errno_t E = __WASI_ERRNO_BADF;

  CHECK_ERRNO(__wasi_fd_advise(bad, 0, 0, __WASI_ADVICE_NORMAL), E);
  CHECK_ERRNO(__wasi_fd_allocate(bad, 0, 1), E);
  CHECK_ERRNO(__wasi_fd_close(bad), E);
  CHECK_ERRNO(__wasi_fd_datasync(bad), E);
  CHECK_ERRNO(__wasi_fd_fdstat_get(bad, &st), E);
  CHECK_ERRNO(__wasi_fd_fdstat_set_flags(bad, 0), E);
  CHECK_ERRNO(__wasi_fd_fdstat_set_rights(bad, 0, 0), E);
  CHECK_ERRNO(__wasi_fd_filestat_get(bad, &fst), E);
  CHECK_ERRNO(__wasi_fd_filestat_set_size(bad, 0), E);
  CHECK_ERRNO(__wasi_fd_filestat_set_times(bad, 0, 0, 0), E);
  CHECK_ERRNO(__wasi_fd_pread(bad, &iov, 1, 0, &n), E);
  CHECK_ERRNO(__wasi_fd_prestat_get(bad, &pre), E);
  CHECK_ERRNO(__wasi_fd_prestat_dir_name(bad, buf, sizeof buf), E);
  CHECK_ERRNO(__wasi_fd_pwrite(bad, &ciov, 1, 0, &n), E);
  CHECK_ERRNO(__wasi_fd_read(bad, &iov, 1, &n), E);
  CHECK_ERRNO(__wasi_fd_readdir(bad, buf, sizeof buf, 0, &n), E);
  CHECK_ERRNO(__wasi_fd_renumber(bad, 1), E);
  CHECK_ERRNO(__wasi_fd_renumber(1, bad), E);
  CHECK_ERRNO(__wasi_fd_seek(bad, 0, __WASI_WHENCE_CUR, &pos), E);
  CHECK_ERRNO(__wasi_fd_sync(bad), E);
  CHECK_ERRNO(__wasi_fd_tell(bad, &pos), E);
  CHECK_ERRNO(__wasi_fd_write(bad, &ciov, 1, &n), E);

  /* The directory fd is looked up before the path is resolved, so a bad
   * one gives EBADF whatever the path. */
  CHECK_ERRNO(__wasi_path_create_directory(bad, "d"), E);
  CHECK_ERRNO(__wasi_path_filestat_get(bad, 0, "f", &fst), E);
  CHECK_ERRNO(__wasi_path_filestat_set_times(bad, 0, "f", 0, 0, 0), E);
  CHECK_ERRNO(__wasi_path_link(bad, 0, "f", SANDBOX_FD, "g"), E);
  CHECK_ERRNO(__wasi_path_link(SANDBOX_FD, 0, "f", bad, "g"), E);
  CHECK_ERRNO(__wasi_path_open(bad, 0, "f", 0, __WASI_RIGHTS_FD_READ, 0, 0, &opened), E);
  CHECK_ERRNO(__wasi_path_readlink(bad, "f", buf, sizeof buf, &n), E);
  CHECK_ERRNO(__wasi_path_remove_directory(bad, "d"), E);
  CHECK_ERRNO(__wasi_path_rename(bad, "f", SANDBOX_FD, "g"), E);
  CHECK_ERRNO(__wasi_path_rename(SANDBOX_FD, "f", bad, "g"), E);
  CHECK_ERRNO(__wasi_path_symlink("f", bad, "g"), E);
  CHECK_ERRNO(__wasi_path_unlink_file(bad, "f"), E);
}

static void badfd(void) {
  ebadf_for(99);
  ebadf_for(0x7fffffffu);
  ebadf_for(0xffffffffu);
  int fd = file_with("/sandbox/gone.txt", "x");
  CHECK(close(fd) == 0);
  ebadf_for((__wasi_fd_t)fd);
  CHECK(unlink("/sandbox/gone.txt") == 0);
  /* Nothing above disturbed stdout or the preopen. */
  CHECK(fdstat(1).fs_rights_base & __WASI_RIGHTS_FD_WRITE);
  CHECK(fdstat(SANDBOX_FD).fs_filetype == __WASI_FILETYPE_DIRECTORY);
  OK("EBADF from every fd call");

  /* A regular file is open, but it is not a preopen. */
  int f = file_with("/sandbox/plain.txt", "x");
  __wasi_prestat_t pre;
  uint8_t name[16];
  CHECK_ERRNO(__wasi_fd_prestat_get((__wasi_fd_t)f, &pre), __WASI_ERRNO_BADF);
  CHECK_ERRNO(__wasi_fd_prestat_dir_name((__wasi_fd_t)f, name, sizeof name), __WASI_ERRNO_BADF);
  CHECK(close(f) == 0);
  CHECK(unlink("/sandbox/plain.txt") == 0);
  /* A directory opened beneath a preopen is not one either. */
  CHECK(mkdir("/sandbox/sub", 0755) == 0);
  int d = open("/sandbox/sub", O_RDONLY | O_DIRECTORY);
  CHECK(d >= 0);
  CHECK_ERRNO(__wasi_fd_prestat_get((__wasi_fd_t)d, &pre), __WASI_ERRNO_BADF);
  CHECK(close(d) == 0);
  CHECK(rmdir("/sandbox/sub") == 0);
  OK("fd_prestat_get on a non-preopen gives EBADF");
}

int main(int argc, char **argv) {
  CHECK(argc == 2);
  /* The harness hands the preopens in this order. */
  __wasi_prestat_t pre;
  CHECK_ERRNO(__wasi_fd_prestat_get(SANDBOX_FD, &pre), __WASI_ERRNO_SUCCESS);
  CHECK(pre.u.dir.pr_name_len == strlen("/sandbox"));
  CHECK_ERRNO(__wasi_fd_prestat_get(SECOND_FD, &pre), __WASI_ERRNO_SUCCESS);
  CHECK(pre.u.dir.pr_name_len == strlen("/second"));

  if (strcmp(argv[1], "stdio") == 0) stdio();
  else if (strcmp(argv[1], "close") == 0) closing();
  else if (strcmp(argv[1], "renumber") == 0) renumbering();
  else if (strcmp(argv[1], "badfd") == 0) badfd();
  else {
    printf("FAIL unknown mode %s\n", argv[1]);
    return 2;
  }
  return 0;
}
