/* Attempts to leave the sandbox. argv[1] names the case; argv[2] is the
 * host's absolute path of the directory beside the sandbox that holds
 * canary.txt (as a real attacker might guess it). Every attempt must fail
 * with EPERM (or the errno noted) and change nothing; the host compares
 * everything outside the sandbox before and after. The sandbox is fd 3. */
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wasi/api.h>

#include "check.h"

#define SANDBOX 3
#define FOLLOW __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW
#define NOFOLLOW 0
#define PERM __WASI_ERRNO_PERM
#define RW (__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE)
#define ATIM_MTIM (__WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM)

/* The raw imports, so a path can carry an explicit length. */
#define RAW(name)                                                           \
  __attribute__((import_module("wasi_snapshot_preview1"),                   \
                 import_name(#name)))
RAW(path_open)
int32_t raw_path_open(int32_t fd, int32_t dirflags, const char *path,
                      int32_t path_len, int32_t oflags, int64_t base,
                      int64_t inheriting, int32_t fdflags, __wasi_fd_t *out);
RAW(path_create_directory)
int32_t raw_path_create_directory(int32_t fd, const char *path, int32_t len);
RAW(path_filestat_get)
int32_t raw_path_filestat_get(int32_t fd, int32_t flags, const char *path,
                              int32_t len, __wasi_filestat_t *out);
RAW(path_unlink_file)
int32_t raw_path_unlink_file(int32_t fd, const char *path, int32_t len);
RAW(path_symlink)
int32_t raw_path_symlink(const char *old, int32_t old_len, int32_t fd,
                         const char *new, int32_t new_len);

static const char *outside; /* argv[2] */

static char *join(const char *a, const char *b) {
  static char bufs[4][512];
  static int next;
  char *buf = bufs[next++ % 4];
  snprintf(buf, sizeof bufs[0], "%s/%s", a, b);
  return buf;
}

/* path_open's errno; a descriptor it returned is closed again. */
static __wasi_errno_t try_open(__wasi_lookupflags_t lookup, const char *path,
                               __wasi_oflags_t oflags, __wasi_rights_t rights) {
  __wasi_fd_t fd = 0;
  __wasi_errno_t e =
      __wasi_path_open(SANDBOX, lookup, path, oflags, rights, 0, 0, &fd);
  if (e == 0) CHECK_ERRNO(__wasi_fd_close(fd), __WASI_ERRNO_SUCCESS);
  return e;
}

static void put(const char *path, const char *text) {
  __wasi_fd_t fd;
  CHECK_ERRNO(__wasi_path_open(SANDBOX, FOLLOW, path,
                               __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC, RW,
                               0, 0, &fd),
              __WASI_ERRNO_SUCCESS);
  __wasi_ciovec_t iov = {(const uint8_t *)text, strlen(text)};
  __wasi_size_t n;
  CHECK_ERRNO(__wasi_fd_write(fd, &iov, 1, &n), __WASI_ERRNO_SUCCESS);
  CHECK_ERRNO(__wasi_fd_close(fd), __WASI_ERRNO_SUCCESS);
}

static int exists(const char *path) {
  __wasi_filestat_t st;
  return __wasi_path_filestat_get(SANDBOX, NOFOLLOW, path, &st) == 0;
}

static void check_readlink(const char *path, const char *want) {
  char buf[600];
  __wasi_size_t n = 0;
  __wasi_errno_t e =
      __wasi_path_readlink(SANDBOX, path, (uint8_t *)buf, sizeof buf, &n);
  /* An absolute target names a host path; a host may keep it to itself
   * (EPERM), but must never hand back anything else. */
  if (want[0] == '/' && e == PERM) return;
  CHECK_ERRNO(e, __WASI_ERRNO_SUCCESS);
  CHECK(n == strlen(want) && memcmp(buf, want, n) == 0);
}

/* `file` reaches the canary from outside the sandbox: nothing may read,
 * write, stat or stamp it. */
static void refuse_file(const char *file) {
  printf("file route %s\n", file);
  __wasi_filestat_t st;
  CHECK_ERRNO(try_open(FOLLOW, file, 0, __WASI_RIGHTS_FD_READ), PERM);
  CHECK_ERRNO(try_open(FOLLOW, file, 0, RW), PERM);
  CHECK_ERRNO(try_open(FOLLOW, file, __WASI_OFLAGS_TRUNC, RW), PERM);
  CHECK_ERRNO(try_open(FOLLOW, file, __WASI_OFLAGS_CREAT, RW), PERM);
  CHECK_ERRNO(try_open(FOLLOW, file, 0, 0), PERM);
  CHECK_ERRNO(__wasi_path_filestat_get(SANDBOX, FOLLOW, file, &st), PERM);
  CHECK_ERRNO(__wasi_path_filestat_set_times(SANDBOX, FOLLOW, file, 1, 1,
                                             ATIM_MTIM),
              PERM);
  /* wasi-libc reaches the same refusal (it would strip an absolute path's
   * slashes after the preopen's name, so only relative routes). */
  if (file[0] == '/') return;
  char *abs = join("/sandbox", file);
  errno = 0;
  CHECK(open(abs, O_RDONLY) == -1 && errno == EPERM);
  errno = 0;
  CHECK(open(abs, O_WRONLY | O_APPEND) == -1 && errno == EPERM);
}

/* `dir` reaches the directory holding the canary from outside the
 * sandbox: nothing may be opened, made, moved or removed through it. */
static void refuse_dir(const char *dir) {
  printf("dir route %s\n", dir);
  char *canary = join(dir, "canary.txt");
  refuse_file(canary);
  __wasi_filestat_t st;
  char buf[64];
  __wasi_size_t n;
  CHECK_ERRNO(try_open(FOLLOW, dir, __WASI_OFLAGS_DIRECTORY,
                       __WASI_RIGHTS_FD_READDIR),
              PERM);
  CHECK_ERRNO(__wasi_path_filestat_get(SANDBOX, FOLLOW, dir, &st), PERM);
  CHECK_ERRNO(try_open(FOLLOW, join(dir, "new.txt"), __WASI_OFLAGS_CREAT, RW),
              PERM);
  CHECK_ERRNO(try_open(FOLLOW, join(dir, "new.txt"),
                       __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL, RW),
              PERM);
  CHECK_ERRNO(try_open(NOFOLLOW, join(dir, "new.txt"), __WASI_OFLAGS_CREAT, RW),
              PERM);
  CHECK_ERRNO(__wasi_path_filestat_get(SANDBOX, NOFOLLOW, canary, &st), PERM);
  CHECK_ERRNO(__wasi_path_filestat_set_times(SANDBOX, NOFOLLOW, canary, 1, 1,
                                             ATIM_MTIM),
              PERM);
  CHECK_ERRNO(__wasi_path_create_directory(SANDBOX, join(dir, "newdir")),
              PERM);
  CHECK_ERRNO(__wasi_path_remove_directory(SANDBOX, join(dir, "emptydir")),
              PERM);
  CHECK_ERRNO(__wasi_path_unlink_file(SANDBOX, canary), PERM);
  CHECK_ERRNO(__wasi_path_rename(SANDBOX, canary, SANDBOX, "stolen"), PERM);
  CHECK_ERRNO(__wasi_path_rename(SANDBOX, "inside.txt", SANDBOX,
                                 join(dir, "planted.txt")),
              PERM);
  CHECK_ERRNO(__wasi_path_rename(SANDBOX, "inside.txt", SANDBOX, canary),
              PERM);
  CHECK_ERRNO(__wasi_path_link(SANDBOX, 0, canary, SANDBOX, "stolen"), PERM);
  CHECK_ERRNO(__wasi_path_link(SANDBOX, 0, "inside.txt", SANDBOX,
                               join(dir, "planted.txt")),
              PERM);
  CHECK_ERRNO(__wasi_path_symlink("inside.txt", SANDBOX,
                                  join(dir, "planted.txt")),
              PERM);
  CHECK_ERRNO(__wasi_path_readlink(SANDBOX, canary, (uint8_t *)buf, sizeof buf,
                                   &n),
              PERM);
  CHECK(!exists("stolen"));
  CHECK(exists("inside.txt"));
}

/* A handle on a subdirectory is a sandbox of its own. */
static void refuse_above_handle(void) {
  CHECK_ERRNO(__wasi_path_create_directory(SANDBOX, "a"), __WASI_ERRNO_SUCCESS);
  __wasi_fd_t a;
  CHECK_ERRNO(__wasi_path_open(SANDBOX, FOLLOW, "a", __WASI_OFLAGS_DIRECTORY,
                               __WASI_RIGHTS_PATH_OPEN |
                                   __WASI_RIGHTS_PATH_FILESTAT_GET |
                                   __WASI_RIGHTS_PATH_CREATE_FILE,
                               RW, 0, &a),
              __WASI_ERRNO_SUCCESS);
  __wasi_fd_t fd;
  __wasi_filestat_t st;
  CHECK_ERRNO(__wasi_path_open(a, FOLLOW, "../inside.txt", 0,
                               __WASI_RIGHTS_FD_READ, 0, 0, &fd),
              PERM);
  CHECK_ERRNO(__wasi_path_filestat_get(a, FOLLOW, "..", &st), PERM);
  CHECK_ERRNO(__wasi_path_open(a, FOLLOW, "../../outside/canary.txt", 0,
                               __WASI_RIGHTS_FD_READ, 0, 0, &fd),
              PERM);
  CHECK_ERRNO(__wasi_path_open(a, FOLLOW, "../x.txt", __WASI_OFLAGS_CREAT, RW,
                               0, 0, &fd),
              PERM);
  CHECK(!exists("x.txt"));
  CHECK_ERRNO(__wasi_fd_close(a), __WASI_ERRNO_SUCCESS);
}

static void case_absolute(void) {
  refuse_dir(outside);
  /* The guest's own name for the sandbox means nothing to the host. */
  CHECK_ERRNO(try_open(FOLLOW, "/sandbox/inside.txt", 0, __WASI_RIGHTS_FD_READ),
              PERM);
  CHECK_ERRNO(try_open(FOLLOW, "/", __WASI_OFLAGS_DIRECTORY,
                       __WASI_RIGHTS_FD_READDIR),
              PERM);
  CHECK_ERRNO(try_open(FOLLOW, "/etc/passwd", 0, __WASI_RIGHTS_FD_READ), PERM);
  CHECK_ERRNO(__wasi_path_create_directory(SANDBOX, "/capwasi-escape-probe"),
              PERM);
  CHECK_ERRNO(try_open(FOLLOW, "//inside.txt", 0, __WASI_RIGHTS_FD_READ), PERM);
}

static void case_dotdot(void) {
  CHECK_ERRNO(__wasi_path_create_directory(SANDBOX, "sub"),
              __WASI_ERRNO_SUCCESS);
  refuse_dir("../outside");
  refuse_dir("sub/../../outside");
  refuse_dir("./../outside");
  refuse_dir("sub/./../../outside");
  CHECK_ERRNO(try_open(FOLLOW, "..", __WASI_OFLAGS_DIRECTORY,
                       __WASI_RIGHTS_FD_READDIR),
              PERM);
  CHECK_ERRNO(try_open(FOLLOW, "../sandbox/inside.txt", 0,
                       __WASI_RIGHTS_FD_READ),
              PERM);
  CHECK_ERRNO(__wasi_path_create_directory(SANDBOX, "../outside2"), PERM);
  CHECK_ERRNO(__wasi_path_remove_directory(SANDBOX, ".."), PERM);
  CHECK_ERRNO(__wasi_path_symlink("x", SANDBOX, "../planted"), PERM);
  refuse_above_handle();
  /* Climbing that stays inside is fine. */
  CHECK_ERRNO(try_open(FOLLOW, "sub/../inside.txt", 0, __WASI_RIGHTS_FD_READ),
              __WASI_ERRNO_SUCCESS);
  CHECK_ERRNO(try_open(FOLLOW, "sub/./.././sub/../inside.txt", 0,
                       __WASI_RIGHTS_FD_READ),
              __WASI_ERRNO_SUCCESS);
}

/* Symlinks to the outside, made by the host (`out`, `canary_link`) or the
 * guest; their text is readable, but following them is refused. */
static void refuse_links(const char *dir_link, const char *file_link) {
  __wasi_filestat_t st;
  CHECK_ERRNO(__wasi_path_filestat_get(SANDBOX, NOFOLLOW, dir_link, &st),
              __WASI_ERRNO_SUCCESS);
  CHECK(st.filetype == __WASI_FILETYPE_SYMBOLIC_LINK);
  CHECK_ERRNO(__wasi_path_filestat_get(SANDBOX, NOFOLLOW, file_link, &st),
              __WASI_ERRNO_SUCCESS);
  CHECK(st.filetype == __WASI_FILETYPE_SYMBOLIC_LINK);
  refuse_dir(dir_link);
  refuse_file(file_link);
  /* Without following, the last component is the link itself. */
  CHECK_ERRNO(try_open(NOFOLLOW, file_link, 0, __WASI_RIGHTS_FD_READ),
              __WASI_ERRNO_LOOP);
  /* A hard link to the symlink is still only a symlink. */
  CHECK_ERRNO(__wasi_path_link(SANDBOX, 0, file_link, SANDBOX, "hardlink"),
              __WASI_ERRNO_SUCCESS);
  refuse_file("hardlink");
  CHECK_ERRNO(__wasi_path_unlink_file(SANDBOX, "hardlink"),
              __WASI_ERRNO_SUCCESS);
  /* Reached through a second symlink that stays inside. */
  CHECK_ERRNO(__wasi_path_create_directory(SANDBOX, "hop"),
              __WASI_ERRNO_SUCCESS);
  CHECK_ERRNO(__wasi_path_symlink(join("..", dir_link), SANDBOX, "hop/via"),
              __WASI_ERRNO_SUCCESS);
  refuse_dir("hop/via");
  CHECK_ERRNO(__wasi_path_unlink_file(SANDBOX, "hop/via"),
              __WASI_ERRNO_SUCCESS);
  CHECK_ERRNO(__wasi_path_remove_directory(SANDBOX, "hop"),
              __WASI_ERRNO_SUCCESS);
}

static void case_host_abs_symlink(void) {
  check_readlink("out", outside);
  check_readlink("canary_link", join(outside, "canary.txt"));
  refuse_links("out", "canary_link");
}

static void case_host_rel_symlink(void) {
  check_readlink("out", "../outside");
  check_readlink("canary_link", "../outside/canary.txt");
  check_readlink("deep/up", "../../outside");
  refuse_links("out", "canary_link");
  refuse_dir("deep/up");
}

static void case_guest_abs_symlink(void) {
  /* An absolute target would send any unconfined host program that follows
   * the link out of the sandbox, so it is never created. */
  CHECK_ERRNO(__wasi_path_symlink(outside, SANDBOX, "out"), PERM);
  CHECK_ERRNO(__wasi_path_symlink(join(outside, "canary.txt"), SANDBOX,
                                  "canary_link"),
              PERM);
  CHECK_ERRNO(__wasi_path_symlink("/", SANDBOX, "root"), PERM);
  CHECK_ERRNO(__wasi_path_symlink("//", SANDBOX, "root2"), PERM);
  CHECK_ERRNO(__wasi_path_symlink("/sandbox/inside.txt", SANDBOX, "own"),
              PERM);
  CHECK(!exists("out") && !exists("canary_link") && !exists("root") &&
        !exists("root2") && !exists("own"));
  errno = 0;
  CHECK(symlink(outside, "/sandbox/libc_out") == -1 && errno == EPERM);
  CHECK(!exists("libc_out"));
  /* The same text made relative is allowed, and stays inside when
   * followed. */
  CHECK_ERRNO(__wasi_path_symlink("sandbox/inside.txt", SANDBOX, "rel"),
              __WASI_ERRNO_SUCCESS);
  check_readlink("rel", "sandbox/inside.txt");
}

static void case_guest_rel_symlink(void) {
  CHECK_ERRNO(__wasi_path_symlink("../outside", SANDBOX, "out"),
              __WASI_ERRNO_SUCCESS);
  CHECK_ERRNO(__wasi_path_symlink("../outside/canary.txt", SANDBOX,
                                  "canary_link"),
              __WASI_ERRNO_SUCCESS);
  check_readlink("out", "../outside");
  refuse_links("out", "canary_link");
  /* Deeper, and in two hops that each look harmless. */
  CHECK_ERRNO(__wasi_path_create_directory(SANDBOX, "d"), __WASI_ERRNO_SUCCESS);
  CHECK_ERRNO(__wasi_path_symlink("../../outside", SANDBOX, "d/up"),
              __WASI_ERRNO_SUCCESS);
  refuse_dir("d/up");
  CHECK_ERRNO(__wasi_path_symlink("..", SANDBOX, "d/parent"),
              __WASI_ERRNO_SUCCESS);
  CHECK_ERRNO(__wasi_path_symlink("d/parent/..", SANDBOX, "twohop"),
              __WASI_ERRNO_SUCCESS);
  refuse_dir("twohop/outside");
  /* "d/parent" itself stays inside and works. */
  CHECK_ERRNO(try_open(FOLLOW, "d/parent/inside.txt", 0,
                       __WASI_RIGHTS_FD_READ),
              __WASI_ERRNO_SUCCESS);
  /* A symlink to the preopen's own parent, then back down into it. */
  CHECK_ERRNO(__wasi_path_symlink("../sandbox", SANDBOX, "self"),
              __WASI_ERRNO_SUCCESS);
  CHECK_ERRNO(try_open(FOLLOW, "self/inside.txt", 0, __WASI_RIGHTS_FD_READ),
              PERM);
  CHECK(symlink("../outside", "/sandbox/libc_out") == 0);
  refuse_dir("libc_out");
}

/* `abs` is a host-made symlink to argv[2]; `out` is made here. */
static void case_trailing_slash(void) {
  CHECK_ERRNO(__wasi_path_symlink("../outside", SANDBOX, "out"),
              __WASI_ERRNO_SUCCESS);
  const char *routes[] = {"out/", "out/.", "out//", "abs/", "abs/.", "out/..",
                          "out/../outside/"};
  __wasi_filestat_t st;
  for (int i = 0; i < 7; i++) {
    const char *r = routes[i];
    printf("route %s\n", r);
    /* A trailing slash makes even a no-follow lookup resolve the link. */
    CHECK_ERRNO(try_open(NOFOLLOW, r, __WASI_OFLAGS_DIRECTORY,
                         __WASI_RIGHTS_FD_READDIR),
                PERM);
    CHECK_ERRNO(try_open(FOLLOW, r, __WASI_OFLAGS_DIRECTORY,
                         __WASI_RIGHTS_FD_READDIR),
                PERM);
    CHECK_ERRNO(__wasi_path_filestat_get(SANDBOX, FOLLOW, r, &st), PERM);
    CHECK_ERRNO(__wasi_path_filestat_get(SANDBOX, NOFOLLOW, r, &st), PERM);
    CHECK_ERRNO(__wasi_path_filestat_set_times(SANDBOX, NOFOLLOW, r, 1, 1,
                                               ATIM_MTIM),
                PERM);
  }
  refuse_dir("out/");
  refuse_dir("abs//");
  /* A trailing slash on a regular file is ENOTDIR, except that Linux
   * answers O_CREAT with EISDIR (it wants to create a directory entry). */
  CHECK_ERRNO(try_open(FOLLOW, "inside.txt/", 0, __WASI_RIGHTS_FD_READ),
              __WASI_ERRNO_NOTDIR);
  CHECK_ERRNO(try_open(FOLLOW, "inside.txt/", __WASI_OFLAGS_CREAT, RW),
              __WASI_ERRNO_ISDIR);
  CHECK_ERRNO(try_open(FOLLOW, "new.txt/", __WASI_OFLAGS_CREAT, RW),
              __WASI_ERRNO_ISDIR);
  CHECK(!exists("new.txt"));
  CHECK_ERRNO(try_open(FOLLOW, "inside.txt/.", 0, __WASI_RIGHTS_FD_READ),
              __WASI_ERRNO_NOTDIR);
  CHECK_ERRNO(__wasi_path_filestat_get(SANDBOX, NOFOLLOW, "inside.txt/", &st),
              __WASI_ERRNO_NOTDIR);
  CHECK_ERRNO(__wasi_path_unlink_file(SANDBOX, "inside.txt/"),
              __WASI_ERRNO_NOTDIR);
  CHECK(exists("inside.txt"));
}

static void case_nul(void) {
  __wasi_fd_t fd = 12345;
  __wasi_filestat_t st;
  /* Lengths that take in a NUL and whatever follows it. */
  static const char p1[] = "inside.txt\0../../outside/canary.txt";
  static const char p2[] = "out\0/canary.txt";
  static const char p3[] = "made\0";
  CHECK_ERRNO(raw_path_open(SANDBOX, FOLLOW, p1, sizeof p1 - 1, 0,
                            __WASI_RIGHTS_FD_READ, 0, 0, &fd),
              __WASI_ERRNO_INVAL);
  CHECK_ERRNO(raw_path_open(SANDBOX, FOLLOW, p1, sizeof p1 - 1,
                            __WASI_OFLAGS_TRUNC, RW, 0, 0, &fd),
              __WASI_ERRNO_INVAL);
  CHECK_ERRNO(raw_path_open(SANDBOX, FOLLOW, p2, sizeof p2 - 1,
                            __WASI_OFLAGS_CREAT, RW, 0, 0, &fd),
              __WASI_ERRNO_INVAL);
  CHECK_ERRNO(raw_path_open(SANDBOX, FOLLOW, p3, sizeof p3 - 1,
                            __WASI_OFLAGS_CREAT, RW, 0, 0, &fd),
              __WASI_ERRNO_INVAL);
  CHECK(fd == 12345);
  CHECK_ERRNO(raw_path_create_directory(SANDBOX, p3, sizeof p3 - 1),
              __WASI_ERRNO_INVAL);
  CHECK_ERRNO(raw_path_filestat_get(SANDBOX, FOLLOW, p1, sizeof p1 - 1, &st),
              __WASI_ERRNO_INVAL);
  CHECK_ERRNO(raw_path_unlink_file(SANDBOX, p1, sizeof p1 - 1),
              __WASI_ERRNO_INVAL);
  /* A NUL in a symlink's text is refused as well as in its name. */
  CHECK_ERRNO(raw_path_symlink(p1, sizeof p1 - 1, SANDBOX, "nul_link", 8),
              __WASI_ERRNO_INVAL);
  CHECK_ERRNO(raw_path_symlink("inside.txt", 10, SANDBOX, p3, sizeof p3 - 1),
              __WASI_ERRNO_INVAL);
  CHECK(!exists("made") && !exists("nul_link") && !exists("out"));
  CHECK(exists("inside.txt"));
}

/* The calls that runtimes have let through a symlink pointing out. */
static void make_out_links(void) {
  CHECK_ERRNO(__wasi_path_symlink("../outside", SANDBOX, "rel"),
              __WASI_ERRNO_SUCCESS);
  /* An absolute one can only come from the host ("host_abs"). */
  CHECK_ERRNO(__wasi_path_symlink(outside, SANDBOX, "abs"), PERM);
  CHECK_ERRNO(__wasi_path_symlink("../outside/canary.txt", SANDBOX,
                                  "canary_link"),
              __WASI_ERRNO_SUCCESS);
}

static const char *out_links[] = {"rel", "host_rel", "host_abs"};
#define OUT_LINKS (int)(sizeof out_links / sizeof *out_links)

static void case_symlink_mkdir(void) {
  make_out_links();
  for (int i = 0; i < OUT_LINKS; i++) {
    CHECK_ERRNO(__wasi_path_create_directory(SANDBOX,
                                             join(out_links[i], "newdir")),
                PERM);
    CHECK_ERRNO(__wasi_path_create_directory(SANDBOX,
                                             join(out_links[i], "emptydir/x")),
                PERM);
    CHECK(mkdir(join(join("/sandbox", out_links[i]), "newdir"), 0755) == -1 &&
          errno == EPERM);
  }
  /* The links' own names are taken. */
  CHECK_ERRNO(__wasi_path_create_directory(SANDBOX, "rel"), __WASI_ERRNO_EXIST);
  CHECK_ERRNO(__wasi_path_create_directory(SANDBOX, "canary_link"),
              __WASI_ERRNO_EXIST);
}

static void case_symlink_rename(void) {
  make_out_links();
  for (int i = 0; i < OUT_LINKS; i++) {
    const char *l = out_links[i];
    CHECK_ERRNO(__wasi_path_rename(SANDBOX, "inside.txt", SANDBOX,
                                   join(l, "planted.txt")),
                PERM);
    CHECK_ERRNO(__wasi_path_rename(SANDBOX, "inside.txt", SANDBOX,
                                   join(l, "canary.txt")),
                PERM);
    CHECK_ERRNO(__wasi_path_rename(SANDBOX, join(l, "canary.txt"), SANDBOX,
                                   "stolen"),
                PERM);
    CHECK_ERRNO(__wasi_path_rename(SANDBOX, join(l, "emptydir"), SANDBOX,
                                   "stolendir"),
                PERM);
    CHECK(rename("/sandbox/inside.txt",
                 join(join("/sandbox", l), "planted.txt")) == -1 &&
          errno == EPERM);
  }
  CHECK(!exists("stolen") && !exists("stolendir") && exists("inside.txt"));
  /* Renaming onto a symlink replaces the link, never its target. */
  put("decoy.txt", "decoy");
  CHECK_ERRNO(__wasi_path_rename(SANDBOX, "decoy.txt", SANDBOX, "canary_link"),
              __WASI_ERRNO_SUCCESS);
  __wasi_filestat_t st;
  CHECK_ERRNO(__wasi_path_filestat_get(SANDBOX, NOFOLLOW, "canary_link", &st),
              __WASI_ERRNO_SUCCESS);
  CHECK(st.filetype == __WASI_FILETYPE_REGULAR_FILE && st.size == 5);
  /* Moving the link itself is only a rename inside. */
  CHECK_ERRNO(__wasi_path_rename(SANDBOX, "rel", SANDBOX, "rel2"),
              __WASI_ERRNO_SUCCESS);
  refuse_dir("rel2");
}

static void case_symlink_unlink(void) {
  make_out_links();
  for (int i = 0; i < OUT_LINKS; i++) {
    const char *l = out_links[i];
    CHECK_ERRNO(__wasi_path_unlink_file(SANDBOX, join(l, "canary.txt")), PERM);
    CHECK_ERRNO(__wasi_path_remove_directory(SANDBOX, join(l, "emptydir")),
                PERM);
    CHECK(unlink(join(join("/sandbox", l), "canary.txt")) == -1 &&
          errno == EPERM);
  }
  /* Unlinking the symlinks removes only the links. */
  CHECK_ERRNO(__wasi_path_unlink_file(SANDBOX, "canary_link"),
              __WASI_ERRNO_SUCCESS);
  CHECK_ERRNO(__wasi_path_unlink_file(SANDBOX, "host_abs"),
              __WASI_ERRNO_SUCCESS);
  CHECK_ERRNO(__wasi_path_unlink_file(SANDBOX, "host_rel"),
              __WASI_ERRNO_SUCCESS);
  CHECK(!exists("canary_link") && !exists("host_abs") && !exists("host_rel"));
  /* A symlink to a directory is not a directory to remove. */
  CHECK_ERRNO(__wasi_path_remove_directory(SANDBOX, "rel"),
              __WASI_ERRNO_NOTDIR);
  CHECK(exists("rel"));
}

static void case_symlink_link(void) {
  __wasi_errno_t e;
  make_out_links();
  for (int i = 0; i < OUT_LINKS; i++) {
    const char *l = out_links[i];
    CHECK_ERRNO(__wasi_path_link(SANDBOX, 0, join(l, "canary.txt"), SANDBOX,
                                 "stolen"),
                PERM);
    /* EINVAL from runtimes that do not support following here. */
    e = __wasi_path_link(SANDBOX, FOLLOW, join(l, "canary.txt"), SANDBOX,
                         "stolen");
    if (e != __WASI_ERRNO_INVAL) CHECK_ERRNO(e, PERM);
    CHECK_ERRNO(__wasi_path_link(SANDBOX, 0, "inside.txt", SANDBOX,
                                 join(l, "planted.txt")),
                PERM);
    CHECK(link(join(join("/sandbox", l), "canary.txt"), "/sandbox/stolen") ==
              -1 &&
          errno == EPERM);
  }
  /* Following a symlink to an outside file must not make a hard link to
   * that file inside the sandbox. Runtimes that do not support following
   * here answer EINVAL; either way nothing is made. */
  e = __wasi_path_link(SANDBOX, FOLLOW, "canary_link", SANDBOX, "stolen");
  if (e != __WASI_ERRNO_INVAL) CHECK_ERRNO(e, PERM);
  CHECK(!exists("stolen"));
}

static void case_symlink_symlink(void) {
  make_out_links();
  for (int i = 0; i < OUT_LINKS; i++) {
    const char *l = out_links[i];
    CHECK_ERRNO(__wasi_path_symlink("x", SANDBOX, join(l, "planted")), PERM);
    CHECK_ERRNO(__wasi_path_symlink("x", SANDBOX, join(l, "canary.txt")),
                PERM);
    CHECK(symlink("x", join(join("/sandbox", l), "planted")) == -1 &&
          errno == EPERM);
  }
}

static void case_dangling_creat(void) {
  CHECK_ERRNO(__wasi_path_symlink("../outside/created.txt", SANDBOX,
                                  "newfile"),
              __WASI_ERRNO_SUCCESS);
  CHECK_ERRNO(__wasi_path_symlink(join(outside, "created.txt"), SANDBOX,
                                  "newabs"),
              PERM);
  const char *links[] = {"newfile", "host_dangling"};
  for (int i = 0; i < 2; i++) {
    const char *l = links[i];
    printf("dangling %s\n", l);
    CHECK_ERRNO(try_open(FOLLOW, l, __WASI_OFLAGS_CREAT, RW), PERM);
    CHECK_ERRNO(try_open(FOLLOW, l, __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC,
                         RW),
                PERM);
    CHECK_ERRNO(try_open(FOLLOW, l, 0, __WASI_RIGHTS_FD_READ), PERM);
    /* O_CREAT|O_EXCL never follows: the name is taken by the link. */
    CHECK_ERRNO(try_open(FOLLOW, l, __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL,
                         RW),
                __WASI_ERRNO_EXIST);
    CHECK_ERRNO(__wasi_path_create_directory(SANDBOX, join(l, "d")), PERM);
    char *abs = join("/sandbox", l);
    errno = 0;
    CHECK(open(abs, O_WRONLY | O_CREAT, 0644) == -1 && errno == EPERM);
    errno = 0;
    CHECK(fopen(abs, "w") == NULL && errno == EPERM);
    errno = 0;
    CHECK(fopen(abs, "a") == NULL && errno == EPERM);
  }
}

/* An archive extractor writing entry names as given. */
static void case_zipslip(void) {
  static const char *entries[] = {
      "ok/a.js",
      "../../outside/x.js",
      "../outside/x.js",
      "ok/../../outside/x.js",
      "ok/../../../outside/x.js",
      "/sandbox/../outside/x.js",
      "/sandbox/ok/../../outside/x.js",
  };
  CHECK_ERRNO(__wasi_path_create_directory(SANDBOX, "ok"),
              __WASI_ERRNO_SUCCESS);
  for (int i = 0; i < 7; i++) {
    const char *name = entries[i];
    int good = i == 0;
    printf("entry %s\n", name);
    if (name[0] == '/') {
      /* Through wasi-libc, as a C extractor would. */
      errno = 0;
      FILE *f = fopen(name, "w");
      CHECK(f == NULL && errno == EPERM);
      errno = 0;
      CHECK(open(name, O_WRONLY | O_CREAT | O_TRUNC, 0644) == -1 &&
            errno == EPERM);
    } else {
      /* Raw, relative to the preopen, as the entry names it. */
      CHECK_ERRNO(try_open(FOLLOW, name,
                           __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC, RW),
                  good ? __WASI_ERRNO_SUCCESS : PERM);
      CHECK_ERRNO(try_open(NOFOLLOW, name,
                           __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL, RW),
                  good ? __WASI_ERRNO_EXIST : PERM);
      if (!good)
        CHECK_ERRNO(__wasi_path_create_directory(SANDBOX, join(name, "..")),
                    PERM);
    }
  }
  CHECK(exists("ok/a.js"));
}

static const struct {
  const char *name;
  void (*run)(void);
} cases[] = {
    {"absolute", case_absolute},
    {"dotdot", case_dotdot},
    {"host_abs_symlink", case_host_abs_symlink},
    {"host_rel_symlink", case_host_rel_symlink},
    {"guest_abs_symlink", case_guest_abs_symlink},
    {"guest_rel_symlink", case_guest_rel_symlink},
    {"trailing_slash", case_trailing_slash},
    {"nul", case_nul},
    {"symlink_mkdir", case_symlink_mkdir},
    {"symlink_rename", case_symlink_rename},
    {"symlink_unlink", case_symlink_unlink},
    {"symlink_link", case_symlink_link},
    {"symlink_symlink", case_symlink_symlink},
    {"dangling_creat", case_dangling_creat},
    {"zipslip", case_zipslip},
};

int main(int argc, char **argv) {
  CHECK(argc == 3);
  outside = argv[2];
  CHECK(outside[0] == '/');
  /* Every case has a file of its own inside to try to move out. */
  put("inside.txt", "inside");
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
    if (strcmp(argv[1], cases[i].name) == 0) {
      cases[i].run();
      CHECK_ERRNO(try_open(FOLLOW, "inside.txt", 0, __WASI_RIGHTS_FD_READ),
                  __WASI_ERRNO_SUCCESS);
      printf("ok %s\n", argv[1]);
      return 0;
    }
  printf("unknown case %s\n", argv[1]);
  return 2;
}
