/* fd_renumber in the shapes that once let a guest panic its host (wasmtime,
 * CVE-2025-53901): renumbering a descriptor onto itself, or onto a number
 * that was closed, left the table corrupt, and the next path_open panicked.
 * Each case renumbers, then opens and uses several new descriptors, and
 * checks that every one is distinct and names the file it should.
 *
 * Expects "/sandbox" (fd 3, read-write) and "/second" (fd 4, read-write, a
 * directory inside the sandbox). argv[1] names the case. */
#include <stdint.h>
#include <wasi/api.h>

#include "check.h"

#define SANDBOX 3
#define SECOND 4
#define FOLLOW __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW
#define RW (__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_SEEK)

/* Creates `name` under `dir` holding `name` itself, and returns its fd. */
static __wasi_fd_t make(__wasi_fd_t dir, const char *name) {
  __wasi_fd_t fd = 0xdead;
  CHECK_ERRNO(__wasi_path_open(dir, FOLLOW, name,
                               __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC, RW,
                               0, 0, &fd),
              __WASI_ERRNO_SUCCESS);
  __wasi_ciovec_t iov = {(const uint8_t *)name, strlen(name)};
  __wasi_size_t n = 0;
  CHECK_ERRNO(__wasi_fd_pwrite(fd, &iov, 1, 0, &n), __WASI_ERRNO_SUCCESS);
  CHECK(n == strlen(name));
  return fd;
}

/* Checks that `fd` is open and holds exactly `text`. */
static void holds(__wasi_fd_t fd, const char *text) {
  char buf[64];
  __wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf};
  __wasi_size_t n = 0;
  CHECK_ERRNO(__wasi_fd_pread(fd, &iov, 1, 0, &n), __WASI_ERRNO_SUCCESS);
  CHECK(n == strlen(text) && memcmp(buf, text, n) == 0);
}

static void is_closed(__wasi_fd_t fd) {
  __wasi_fdstat_t st;
  CHECK_ERRNO(__wasi_fd_fdstat_get(fd, &st), __WASI_ERRNO_BADF);
}

/* What the advisory's exploit did next: open more files. Each must get a
 * number of its own, and `survivor` (if any) must still hold its file. */
static void open_after(__wasi_fd_t dir, __wasi_fd_t survivor,
                       const char *survivor_text) {
  static const char *names[] = {"after0", "after1", "after2", "after3"};
  __wasi_fd_t fds[4];
  for (int i = 0; i < 4; i++) {
    fds[i] = make(dir, names[i]);
    CHECK(fds[i] != survivor);
    for (int j = 0; j < i; j++) CHECK(fds[i] != fds[j]);
  }
  for (int i = 0; i < 4; i++) holds(fds[i], names[i]);
  if (survivor_text) holds(survivor, survivor_text);
  for (int i = 0; i < 4; i++)
    CHECK_ERRNO(__wasi_fd_close(fds[i]), __WASI_ERRNO_SUCCESS);
  for (int i = 0; i < 4; i++) is_closed(fds[i]);
  if (survivor_text) holds(survivor, survivor_text);
}

/* Onto itself: nothing happens, twice over, for a file and a preopen. */
static void case_self(void) {
  __wasi_fd_t a = make(SANDBOX, "a");
  CHECK_ERRNO(__wasi_fd_renumber(a, a), __WASI_ERRNO_SUCCESS);
  CHECK_ERRNO(__wasi_fd_renumber(a, a), __WASI_ERRNO_SUCCESS);
  holds(a, "a");
  open_after(SANDBOX, a, "a");
  CHECK_ERRNO(__wasi_fd_renumber(SANDBOX, SANDBOX), __WASI_ERRNO_SUCCESS);
  open_after(SANDBOX, a, "a");
  /* Onto itself once closed: EBADF, and still closed. */
  CHECK_ERRNO(__wasi_fd_close(a), __WASI_ERRNO_SUCCESS);
  CHECK_ERRNO(__wasi_fd_renumber(a, a), __WASI_ERRNO_BADF);
  is_closed(a);
  open_after(SANDBOX, SANDBOX, NULL);
}

/* To or from a number that was closed: EBADF, nothing moves, and the
 * closed number is handed out again by the next open, once. */
static void case_closed(void) {
  __wasi_fd_t a = make(SANDBOX, "a");
  __wasi_fd_t b = make(SANDBOX, "b");
  CHECK_ERRNO(__wasi_fd_close(b), __WASI_ERRNO_SUCCESS);
  CHECK_ERRNO(__wasi_fd_renumber(a, b), __WASI_ERRNO_BADF);
  holds(a, "a");
  is_closed(b);
  CHECK_ERRNO(__wasi_fd_renumber(b, a), __WASI_ERRNO_BADF);
  holds(a, "a");
  open_after(SANDBOX, a, "a");
  /* The lowest free number is reused exactly once. */
  __wasi_fd_t c = make(SANDBOX, "c");
  CHECK(c == b);
  __wasi_fd_t d = make(SANDBOX, "d");
  CHECK(d != c && d != a);
  holds(c, "c");
  holds(d, "d");
  holds(a, "a");
  /* A number that was renumbered away is closed as well. */
  CHECK_ERRNO(__wasi_fd_renumber(d, c), __WASI_ERRNO_SUCCESS);
  holds(c, "d");
  is_closed(d);
  CHECK_ERRNO(__wasi_fd_renumber(c, d), __WASI_ERRNO_BADF);
  CHECK_ERRNO(__wasi_fd_renumber(d, c), __WASI_ERRNO_BADF);
  holds(c, "d");
  open_after(SANDBOX, c, "d");
  holds(a, "a");
}

/* Onto a preopen: the preopen's handle is gone and the number names the
 * file. A preopen moved elsewhere still confines what it opens. */
static void case_preopen(void) {
  __wasi_fd_t a = make(SANDBOX, "a");
  CHECK_ERRNO(__wasi_fd_renumber(a, SECOND), __WASI_ERRNO_SUCCESS);
  is_closed(a);
  holds(SECOND, "a");
  __wasi_prestat_t pre;
  CHECK_ERRNO(__wasi_fd_prestat_get(SECOND, &pre), __WASI_ERRNO_BADF);
  __wasi_fd_t fd;
  CHECK_ERRNO(__wasi_path_open(SECOND, FOLLOW, "x", __WASI_OFLAGS_CREAT, RW, 0,
                               0, &fd),
              __WASI_ERRNO_NOTDIR);
  open_after(SANDBOX, SECOND, "a");

  /* The sandbox preopen moved to a number a file held. */
  __wasi_fd_t b = make(SANDBOX, "b");
  CHECK_ERRNO(__wasi_fd_renumber(SANDBOX, b), __WASI_ERRNO_SUCCESS);
  is_closed(SANDBOX);
  CHECK_ERRNO(__wasi_fd_prestat_get(b, &pre), __WASI_ERRNO_SUCCESS);
  CHECK(pre.tag == __WASI_PREOPENTYPE_DIR);
  open_after(b, SECOND, "a");
  CHECK_ERRNO(__wasi_path_open(b, FOLLOW, "../outside/canary.txt", 0,
                               __WASI_RIGHTS_FD_READ, 0, 0, &fd),
              __WASI_ERRNO_PERM);
  CHECK_ERRNO(__wasi_path_open(b, FOLLOW, "../escaped", __WASI_OFLAGS_CREAT,
                               RW, 0, 0, &fd),
              __WASI_ERRNO_PERM);
  /* Its old number is free again, and is the next one handed out. */
  __wasi_fd_t c = make(b, "c");
  CHECK(c == SANDBOX);
  holds(c, "c");
  open_after(b, c, "c");
}

/* Numbers far beyond the table, and the stdio numbers. */
static void case_bad_numbers(void) {
  static const __wasi_fd_t bad[] = {0xffffffffu, 0x80000000u, 0x7fffffffu,
                                    1024, 65536, 100};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    CHECK_ERRNO(__wasi_fd_renumber(bad[i], SANDBOX), __WASI_ERRNO_BADF);
    CHECK_ERRNO(__wasi_fd_renumber(SANDBOX, bad[i]), __WASI_ERRNO_BADF);
    CHECK_ERRNO(__wasi_fd_renumber(bad[i], bad[i]), __WASI_ERRNO_BADF);
  }
  open_after(SANDBOX, SANDBOX, NULL);
  /* A file onto stdin, then stdin's number used as the file. */
  __wasi_fd_t a = make(SANDBOX, "a");
  CHECK_ERRNO(__wasi_fd_renumber(a, 0), __WASI_ERRNO_SUCCESS);
  holds(0, "a");
  is_closed(a);
  open_after(SANDBOX, 0, "a");
}

static const struct {
  const char *name;
  void (*run)(void);
} cases[] = {
    {"self", case_self},
    {"closed", case_closed},
    {"preopen", case_preopen},
    {"bad_numbers", case_bad_numbers},
};

int main(int argc, char **argv) {
  CHECK(argc == 2);
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
    if (strcmp(argv[1], cases[i].name) == 0) {
      cases[i].run();
      printf("ok %s\n", argv[1]);
      return 0;
    }
  printf("unknown case %s\n", argv[1]);
  return 2;
}
