// One program, built natively and for wasm32-wasi, that times one system
// call pattern from inside the process. Timing from inside makes the two
// builds comparable: each pays only for the calls it makes, not for being
// started, compiled or instantiated.
//
//   bench OP ITERATIONS REPETITIONS DIR
//
// prints one line per repetition, "OP NS_PER_ITERATION". DIR holds the
// fixture the harness prepares (see FIXTURE_* below). The native build
// enters DIR and uses relative paths; the wasm build prefixes DIR, which is
// the guest name of a preopen, so both resolve the same path components
// beneath the same directory.
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#ifndef __wasi__
#include <linux/openat2.h>
#include <sys/syscall.h>
#endif

#define FIXTURE_NESTED "d1/d2/d3/d4/file"
#define FIXTURE_BIG "big.dat"
#define FIXTURE_BIG_SIZE (64u << 20)
#define FIXTURE_MANY "many"
#define FIXTURE_MANY_ENTRIES 10000

static const char *base;

static void fail(const char *what, const char *path) {
  fprintf(stderr, "bench: %s %s: %s\n", what, path, strerror(errno));
  exit(1);
}

// The path of a fixture entry as this build must name it.
static const char *at(const char *relative) {
#ifdef __wasi__
  static char buf[4][512];
  static int next;
  char *out = buf[next++ % 4];
  snprintf(out, sizeof buf[0], "%s/%s", base, relative);
  return out;
#else
  return relative;
#endif
}

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int open_or_fail(const char *path, int flags) {
  int fd = open(path, flags, 0644);
  if (fd < 0) fail("open", path);
  return fd;
}

// Keeps results observable so the compiler cannot drop the calls.
static volatile uint64_t sink;

// Each op times only its loop: opening the file an op works on, and closing
// it, are not what it measures (and closing a file just truncated can cost
// the filesystem a flush that has nothing to do with the runtime).
static uint64_t started;
static void start(void) { started = now_ns(); }
static uint64_t stop(void) { return now_ns() - started; }

static uint64_t op_write16(long n) {
  const char *path = at("write16.out");
  int fd = open_or_fail(path, O_WRONLY | O_CREAT | O_TRUNC);
  char buf[16] = "0123456789abcdef";
  start();
  for (long i = 1; i <= n; i++) {
    if (write(fd, buf, sizeof buf) != (ssize_t)sizeof buf) fail("write", path);
    // Rewriting the same 64 KiB keeps the file in a few cached pages, so the
    // loop measures the call rather than the filesystem allocating blocks and
    // throttling whichever runtime is writing when dirty data piles up.
    if (i % 4096 == 0 && lseek(fd, 0, SEEK_SET) != 0) fail("lseek", path);
  }
  uint64_t elapsed = stop();
  close(fd);
  return elapsed;
}

static uint64_t op_clock(long n) {
  struct timespec ts;
  uint64_t acc = 0;
  start();
  for (long i = 0; i < n; i++) {
    clock_gettime(CLOCK_MONOTONIC, &ts);
    acc += (uint64_t)ts.tv_nsec;
  }
  uint64_t elapsed = stop();
  sink = acc;
  return elapsed;
}

static uint64_t op_open_close(long n) {
  const char *path = at(FIXTURE_NESTED);
  start();
  for (long i = 0; i < n; i++) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) fail("open", path);
    close(fd);
  }
  return stop();
}

static uint64_t op_stat(long n) {
  const char *path = at(FIXTURE_NESTED);
  struct stat st;
  uint64_t acc = 0;
  start();
  for (long i = 0; i < n; i++) {
    if (stat(path, &st) != 0) fail("stat", path);
    acc += (uint64_t)st.st_size;
  }
  uint64_t elapsed = stop();
  sink = acc;
  return elapsed;
}

static uint64_t op_fstat(long n) {
  const char *path = at(FIXTURE_NESTED);
  int fd = open_or_fail(path, O_RDONLY);
  struct stat st;
  uint64_t acc = 0;
  start();
  for (long i = 0; i < n; i++) {
    if (fstat(fd, &st) != 0) fail("fstat", path);
    acc += (uint64_t)st.st_size;
  }
  uint64_t elapsed = stop();
  sink = acc;
  close(fd);
  return elapsed;
}

static uint64_t op_pread4k(long n) {
  const char *path = at(FIXTURE_BIG);
  int fd = open_or_fail(path, O_RDONLY);
  static char buf[4096];
  uint32_t blocks = FIXTURE_BIG_SIZE / sizeof buf;
  uint32_t state = 12345;
  start();
  for (long i = 0; i < n; i++) {
    // A fixed LCG, so every build reads the same scattered blocks.
    state = state * 1103515245u + 12345u;
    off_t offset = (off_t)((state >> 8) % blocks) * (off_t)sizeof buf;
    if (pread(fd, buf, sizeof buf, offset) != (ssize_t)sizeof buf) fail("pread", path);
  }
  uint64_t elapsed = stop();
  sink = (uint64_t)buf[0];
  close(fd);
  return elapsed;
}

static uint64_t op_create_unlink(long n) {
  const char *path = at("scratch.tmp");
  char buf[16] = "0123456789abcdef";
  start();
  for (long i = 0; i < n; i++) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) fail("create", path);
    if (write(fd, buf, sizeof buf) != (ssize_t)sizeof buf) fail("write", path);
    close(fd);
    if (unlink(path) != 0) fail("unlink", path);
  }
  return stop();
}

static uint64_t op_read64k(long n) {
  const char *path = at(FIXTURE_BIG);
  int fd = open_or_fail(path, O_RDONLY);
  static char buf[64 << 10];
  start();
  for (long i = 0; i < n; i++) {
    ssize_t got = read(fd, buf, sizeof buf);
    if (got == 0) {
      // End of file: start the next pass. The seek is one call in 1024
      // reads, and both builds pay it alike.
      if (lseek(fd, 0, SEEK_SET) != 0) fail("lseek", path);
      got = read(fd, buf, sizeof buf);
    }
    if (got != (ssize_t)sizeof buf) fail("read", path);
  }
  uint64_t elapsed = stop();
  sink = (uint64_t)buf[0];
  close(fd);
  return elapsed;
}

static uint64_t op_readdir(long n) {
  const char *path = at(FIXTURE_MANY);
  start();
  for (long i = 0; i < n; i++) {
    DIR *dir = opendir(path);
    if (!dir) fail("opendir", path);
    long entries = 0;
    struct dirent *entry;
    errno = 0;
    while ((entry = readdir(dir)) != NULL) entries++;
    if (errno != 0) fail("readdir", path);
    closedir(dir);
    // "." and ".." come with the entries.
    if (entries != FIXTURE_MANY_ENTRIES + 2) {
      fprintf(stderr, "bench: %s lists %ld entries\n", path, entries);
      exit(1);
    }
  }
  return stop();
}

#ifndef __wasi__
// The confined floors: what the kernel needs at least when resolution must
// stay beneath a directory, with no WASI layer at all. There is no
// "stat beneath", so a confined stat opens an O_PATH handle, stats it and
// closes it.
static int dir_fd;

static int open_beneath(const char *path, uint64_t flags) {
  struct open_how how = {.flags = flags, .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS};
  return (int)syscall(SYS_openat2, dir_fd, path, &how, sizeof how);
}

static uint64_t op_open_close_floor(long n) {
  start();
  for (long i = 0; i < n; i++) {
    int fd = open_beneath(FIXTURE_NESTED, O_RDONLY | O_CLOEXEC);
    if (fd < 0) fail("openat2", FIXTURE_NESTED);
    close(fd);
  }
  return stop();
}

static uint64_t op_stat_floor(long n) {
  struct stat st;
  uint64_t acc = 0;
  start();
  for (long i = 0; i < n; i++) {
    int fd = open_beneath(FIXTURE_NESTED, O_PATH | O_CLOEXEC);
    if (fd < 0) fail("openat2", FIXTURE_NESTED);
    if (fstat(fd, &st) != 0) fail("fstat", FIXTURE_NESTED);
    acc += (uint64_t)st.st_size;
    close(fd);
  }
  uint64_t elapsed = stop();
  sink = acc;
  return elapsed;
}
#endif

static const struct {
  const char *name;
  uint64_t (*run)(long);
} ops[] = {
    {"write16", op_write16},     {"clock", op_clock},
    {"open_close", op_open_close}, {"stat", op_stat},
    {"fstat", op_fstat},         {"pread4k", op_pread4k},
    {"create_unlink", op_create_unlink}, {"read64k", op_read64k},
    {"readdir", op_readdir},
#ifndef __wasi__
    {"open_close_floor", op_open_close_floor}, {"stat_floor", op_stat_floor},
#endif
};

int main(int argc, char **argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: bench OP ITERATIONS REPETITIONS DIR\n");
    return 2;
  }
  long iterations = atol(argv[2]);
  long repetitions = atol(argv[3]);
  base = argv[4];
#ifndef __wasi__
  if (chdir(base) != 0) fail("chdir", base);
  dir_fd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0) fail("open", base);
#endif
  for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
    if (strcmp(ops[i].name, argv[1]) != 0) continue;
    for (long rep = 0; rep < repetitions; rep++) {
      uint64_t elapsed = ops[i].run(iterations);
      printf("%s %.1f\n", argv[1], (double)elapsed / (double)iterations);
      fflush(stdout);
    }
    return 0;
  }
  fprintf(stderr, "bench: unknown op %s\n", argv[1]);
  return 2;
}
