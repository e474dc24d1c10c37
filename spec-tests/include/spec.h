/* The checking kit shared by the C spec programs.
 *
 * A program is a list of sections. Each section prints one line, `ok NAME`,
 * when every check in it held; otherwise each failed check prints a `FAIL`
 * line saying what was called, what it returned and what Linux returns, and
 * the section ends with `FAIL NAME`. The program's expected stdout (in its
 * .json) is the list of `ok` lines, so any failure shows up as a stdout
 * mismatch with the reason in the diff, and the exit status becomes 1.
 *
 * Scratch files live in a directory named `<program>.cleanup` inside the test
 * directory. The programs remove it themselves; the `.cleanup` suffix is the
 * official runner's convention for output it deletes before and after every
 * test, so a program that dies half-way leaves nothing behind either. */
#ifndef CAPWASI_SPEC_H
#define CAPWASI_SPEC_H
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

#define FOLLOW __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW
#define NOFOLLOW 0

/* Every right a regular file can hold. */
#define FILE_RIGHTS                                                           \
  (__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_SEEK |   \
   __WASI_RIGHTS_FD_TELL | __WASI_RIGHTS_FD_FDSTAT_SET_FLAGS |                \
   __WASI_RIGHTS_FD_SYNC | __WASI_RIGHTS_FD_DATASYNC |                        \
   __WASI_RIGHTS_FD_ADVISE | __WASI_RIGHTS_FD_ALLOCATE |                      \
   __WASI_RIGHTS_FD_FILESTAT_GET | __WASI_RIGHTS_FD_FILESTAT_SET_SIZE |       \
   __WASI_RIGHTS_FD_FILESTAT_SET_TIMES)

static const char *const spec_errno_names[] = {
    "SUCCESS",     "2BIG",         "ACCES",       "ADDRINUSE",
    "ADDRNOTAVAIL", "AFNOSUPPORT", "AGAIN",       "ALREADY",
    "BADF",        "BADMSG",       "BUSY",        "CANCELED",
    "CHILD",       "CONNABORTED",  "CONNREFUSED", "CONNRESET",
    "DEADLK",      "DESTADDRREQ",  "DOM",         "DQUOT",
    "EXIST",       "FAULT",        "FBIG",        "HOSTUNREACH",
    "IDRM",        "ILSEQ",        "INPROGRESS",  "INTR",
    "INVAL",       "IO",           "ISCONN",      "ISDIR",
    "LOOP",        "MFILE",        "MLINK",       "MSGSIZE",
    "MULTIHOP",    "NAMETOOLONG",  "NETDOWN",     "NETRESET",
    "NETUNREACH",  "NFILE",        "NOBUFS",      "NODEV",
    "NOENT",       "NOEXEC",       "NOLCK",       "NOLINK",
    "NOMEM",       "NOMSG",        "NOPROTOOPT",  "NOSPC",
    "NOSYS",       "NOTCONN",      "NOTDIR",      "NOTEMPTY",
    "NOTRECOVERABLE", "NOTSOCK",   "NOTSUP",      "NOTTY",
    "NXIO",        "OVERFLOW",     "OWNERDEAD",   "PERM",
    "PIPE",        "PROTO",        "PROTONOSUPPORT", "PROTOTYPE",
    "RANGE",       "ROFS",         "SPIPE",       "SRCH",
    "STALE",       "TIMEDOUT",     "TXTBSY",      "XDEV",
    "NOTCAPABLE",
};

static __attribute__((unused)) const char *spec_errno_name(int e) {
  if (e >= 0 && e < (int)(sizeof spec_errno_names / sizeof *spec_errno_names))
    return spec_errno_names[e];
  return "?";
}

static const char *spec_section_name;
static int spec_section_failures;
static int spec_failures;

/* Ends the current section, printing its verdict. */
static void spec_end_section(void) {
  if (spec_section_name) {
    printf("%s %s\n", spec_section_failures ? "FAIL" : "ok", spec_section_name);
    spec_section_name = NULL;
  }
}

/* Starts a section; the previous one, if any, ends here. */
static __attribute__((unused)) void section(const char *name) {
  spec_end_section();
  spec_section_name = name;
  spec_section_failures = 0;
}

/* Ends the last section; the program's exit status. */
static __attribute__((unused)) int finish(void) {
  spec_end_section();
  return spec_failures ? 1 : 0;
}

static __attribute__((unused)) void spec_fail(int line, const char *what) {
  printf("FAIL line %d: %s\n", line, what);
  spec_section_failures++;
  spec_failures++;
}

static __attribute__((unused)) int spec_errno(int got, int want,
                                              const char *call, int line) {
  if (got != want) {
    printf("FAIL line %d: %s returned %s, want %s\n", line, call,
           spec_errno_name(got), spec_errno_name(want));
    spec_section_failures++;
    spec_failures++;
  }
  return got == want;
}

static __attribute__((unused)) int spec_errno2(int got, int a, int b,
                                               const char *call, int line) {
  if (got != a && got != b) {
    printf("FAIL line %d: %s returned %s, want %s or %s\n", line, call,
           spec_errno_name(got), spec_errno_name(a), spec_errno_name(b));
    spec_section_failures++;
    spec_failures++;
    return 0;
  }
  return 1;
}

static __attribute__((unused)) int spec_errno3(int got, int a, int b, int c,
                                               const char *call, int line) {
  if (got != a && got != b && got != c) {
    printf("FAIL line %d: %s returned %s, want %s, %s or %s\n", line, call,
           spec_errno_name(got), spec_errno_name(a), spec_errno_name(b),
           spec_errno_name(c));
    spec_section_failures++;
    spec_failures++;
    return 0;
  }
  return 1;
}

/* A call that must succeed. */
#define OK(call) spec_errno((int)(call), 0, #call, __LINE__)
/* A call that must fail with __WASI_ERRNO_<want>. */
#define ERR(call, want) spec_errno((int)(call), __WASI_ERRNO_##want, #call, __LINE__)
/* A call that may fail with either errno; only where POSIX leaves the choice
 * open and the comment beside it says which Linux picks. */
#define ERR2(call, a, b)                                                     \
  spec_errno2((int)(call), __WASI_ERRNO_##a, __WASI_ERRNO_##b, #call, __LINE__)
#define ERR3(call, a, b, c)                                                  \
  spec_errno3((int)(call), __WASI_ERRNO_##a, __WASI_ERRNO_##b,               \
              __WASI_ERRNO_##c, #call, __LINE__)
/* A condition that must hold. */
#define EXPECT(cond)                                                         \
  do {                                                                       \
    if (!(cond)) spec_fail(__LINE__, #cond);                                 \
  } while (0)
/* A step the rest of the program depends on: without it there is nothing
 * meaningful left to check, so the program stops. */
#define MUST(call)                                                           \
  do {                                                                       \
    int must_ = (int)(call);                                                 \
    if (must_ != 0) {                                                        \
      printf("FAIL line %d: %s returned %s; cannot go on\n", __LINE__,       \
             #call, spec_errno_name(must_));                                 \
      spec_end_section();                                                    \
      exit(1);                                                               \
    }                                                                        \
  } while (0)

/* The directory a test runs in. Under a runner that passes `dirs` it is the
 * preopen named after the fixture; under one that maps a test's `root` to
 * `/`, it is the `/` preopen. The named one wins when both are there. */
static __attribute__((unused)) __wasi_fd_t test_dir(const char *fixture) {
  __wasi_fd_t root = 0;
  for (__wasi_fd_t fd = 3; fd < 64; fd++) {
    __wasi_prestat_t ps;
    if (__wasi_fd_prestat_get(fd, &ps) != 0) break;
    if (ps.tag != __WASI_PREOPENTYPE_DIR) continue;
    char name[256];
    size_t len = ps.u.dir.pr_name_len;
    if (len >= sizeof name) continue;
    if (__wasi_fd_prestat_dir_name(fd, (uint8_t *)name, len) != 0) continue;
    name[len] = 0;
    if (strcmp(name, fixture) == 0) return fd;
    if (strcmp(name, "/") == 0 && root == 0) root = fd;
  }
  if (root) return root;
  printf("FAIL no preopen named %s or /\n", fixture);
  exit(1);
}

/* Opens a directory beneath `dir` with every right a directory can pass on. */
static __attribute__((unused)) __wasi_errno_t open_dir_at(__wasi_fd_t dir,
                                                          const char *path,
                                                          __wasi_fd_t *out) {
  __wasi_fdstat_t st;
  __wasi_errno_t e = __wasi_fd_fdstat_get(dir, &st);
  if (e) return e;
  /* A directory cannot be opened for writing (open(2) says EISDIR), so the
   * write right is left out of what is asked for it. */
  return __wasi_path_open(dir, FOLLOW, path, __WASI_OFLAGS_DIRECTORY,
                          st.fs_rights_inheriting & ~__WASI_RIGHTS_FD_WRITE,
                          st.fs_rights_inheriting, 0, out);
}

/* Creates (or truncates) `path` beneath `dir` holding exactly `text`. */
static __attribute__((unused)) __wasi_errno_t put_file(__wasi_fd_t dir,
                                                       const char *path,
                                                       const char *text) {
  __wasi_fd_t fd;
  __wasi_errno_t e = __wasi_path_open(
      dir, NOFOLLOW, path, __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC,
      __WASI_RIGHTS_FD_WRITE, 0, 0, &fd);
  if (e) return e;
  size_t len = strlen(text);
  __wasi_ciovec_t iov = {(const uint8_t *)text, len};
  __wasi_size_t n = 0;
  e = len ? __wasi_fd_write(fd, &iov, 1, &n) : 0;
  if (!e && n != len) e = __WASI_ERRNO_IO;
  __wasi_errno_t c = __wasi_fd_close(fd);
  return e ? e : c;
}

/* Reads up to `cap - 1` bytes of `path` beneath `dir` into `buf`, NUL
 * terminated. */
static __attribute__((unused)) __wasi_errno_t read_file(__wasi_fd_t dir,
                                                        const char *path,
                                                        char *buf, size_t cap) {
  __wasi_fd_t fd;
  __wasi_errno_t e = __wasi_path_open(dir, FOLLOW, path, 0,
                                      __WASI_RIGHTS_FD_READ, 0, 0, &fd);
  if (e) return e;
  size_t total = 0;
  for (;;) {
    __wasi_iovec_t iov = {(uint8_t *)buf + total, cap - 1 - total};
    __wasi_size_t n = 0;
    e = __wasi_fd_read(fd, &iov, 1, &n);
    if (e || n == 0 || total + n >= cap - 1) {
      total += e ? 0 : n;
      break;
    }
    total += n;
  }
  buf[total] = 0;
  __wasi_errno_t c = __wasi_fd_close(fd);
  return e ? e : c;
}

/* Whether `path` beneath `dir` holds exactly `text`. */
static __attribute__((unused)) int holds(__wasi_fd_t dir, const char *path,
                                         const char *text) {
  char buf[256];
  return read_file(dir, path, buf, sizeof buf) == 0 && strcmp(buf, text) == 0;
}

static __attribute__((unused)) __wasi_filetype_t type_at(__wasi_fd_t dir,
                                                         const char *path,
                                                         int follow) {
  __wasi_filestat_t st;
  if (__wasi_path_filestat_get(dir, follow ? FOLLOW : NOFOLLOW, path, &st))
    return 0xff;
  return st.filetype;
}

/* Whether anything, even a dangling symlink, is named `path`. */
static __attribute__((unused)) int exists(__wasi_fd_t dir, const char *path) {
  return type_at(dir, path, 0) != 0xff;
}

/* Removes `path` beneath `dir` and everything under it, whatever it is. */
static __attribute__((unused)) __wasi_errno_t remove_tree(__wasi_fd_t dir,
                                                          const char *path) {
  __wasi_filestat_t st;
  __wasi_errno_t e = __wasi_path_filestat_get(dir, NOFOLLOW, path, &st);
  if (e) return e;
  if (st.filetype != __WASI_FILETYPE_DIRECTORY)
    return __wasi_path_unlink_file(dir, path);
  __wasi_fd_t sub;
  e = open_dir_at(dir, path, &sub);
  if (e) return e;
  /* Entries are removed as they are listed, so the listing restarts from
   * the beginning until only `.` and `..` are left. */
  uint8_t buf[4096];
  for (int pass = 0; pass < 100000; pass++) {
    __wasi_size_t used = 0;
    e = __wasi_fd_readdir(sub, buf, sizeof buf, 0, &used);
    if (e) break;
    int removed = 0;
    size_t off = 0;
    while (off + sizeof(__wasi_dirent_t) <= used) {
      __wasi_dirent_t d;
      memcpy(&d, buf + off, sizeof d);
      off += sizeof d;
      if (off + d.d_namlen > used) break;
      char name[256];
      size_t n = d.d_namlen < sizeof name - 1 ? d.d_namlen : sizeof name - 1;
      memcpy(name, buf + off, n);
      name[n] = 0;
      off += d.d_namlen;
      if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) continue;
      e = remove_tree(sub, name);
      if (e) break;
      removed++;
    }
    if (e || removed == 0) break;
  }
  __wasi_errno_t c = __wasi_fd_close(sub);
  if (!e) e = c;
  if (e) return e;
  return __wasi_path_remove_directory(dir, path);
}

/* Creates an empty scratch directory `name` (which should end in `.cleanup`)
 * beneath `dir`, after removing what a previous run may have left there, and
 * opens it. */
static __attribute__((unused)) __wasi_fd_t scratch(__wasi_fd_t dir,
                                                   const char *name) {
  if (exists(dir, name)) MUST(remove_tree(dir, name));
  MUST(__wasi_path_create_directory(dir, name));
  __wasi_fd_t fd;
  MUST(open_dir_at(dir, name, &fd));
  return fd;
}

/* Closes the scratch directory and removes it with everything in it. */
static __attribute__((unused)) void drop_scratch(__wasi_fd_t dir,
                                                 const char *name,
                                                 __wasi_fd_t fd) {
  section("cleanup");
  OK(__wasi_fd_close(fd));
  OK(remove_tree(dir, name));
  EXPECT(!exists(dir, name));
}
/* A descriptor's position, its position after a seek, and its size; each is
 * (uint64_t)-1 when the call fails, which no real file reaches. */
static __attribute__((unused)) __wasi_filesize_t fd_position(__wasi_fd_t fd) {
  __wasi_filesize_t pos = 0;
  if (__wasi_fd_tell(fd, &pos)) return (uint64_t)-1;
  return pos;
}

static __attribute__((unused)) __wasi_filesize_t fd_seek_to(__wasi_fd_t fd,
                                                            int64_t off,
                                                            int whence) {
  __wasi_filesize_t pos = 0;
  if (__wasi_fd_seek(fd, off, whence, &pos)) return (uint64_t)-1;
  return pos;
}

static __attribute__((unused)) __wasi_filesize_t fd_size(__wasi_fd_t fd) {
  __wasi_filestat_t st;
  if (__wasi_fd_filestat_get(fd, &st)) return (uint64_t)-1;
  return st.size;
}

#endif
