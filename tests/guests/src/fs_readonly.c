/* A read-only preopen: /ro (fd 3) holds file.txt ("read only\n"),
 * link -> file.txt, dir/inner.txt and empty/; /rw (fd 4) is writable and
 * holds rwfile.txt. argv[1] names the case. Every mutation under /ro, and
 * every link or rename between /ro and /rw in either direction, must fail
 * with ENOTCAPABLE; the host checks that neither tree changed. An optional
 * second argument "p2" says the guest runs through preview2 (see
 * via_p2). */
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wasi/api.h>

#include "check.h"

#define RO 3
#define RWDIR 4
#define FOLLOW __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW
#define NOTCAP __WASI_ERRNO_NOTCAPABLE
#define ATIM_MTIM (__WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM)
#define NOW (__WASI_FSTFLAGS_ATIM_NOW | __WASI_FSTFLAGS_MTIM_NOW)

/* The path rights that change something. */
#define PATH_MUTATING                                                         \
  (__WASI_RIGHTS_PATH_CREATE_DIRECTORY | __WASI_RIGHTS_PATH_CREATE_FILE |     \
   __WASI_RIGHTS_PATH_LINK_SOURCE | __WASI_RIGHTS_PATH_LINK_TARGET |          \
   __WASI_RIGHTS_PATH_RENAME_SOURCE | __WASI_RIGHTS_PATH_RENAME_TARGET |      \
   __WASI_RIGHTS_PATH_SYMLINK | __WASI_RIGHTS_PATH_REMOVE_DIRECTORY |         \
   __WASI_RIGHTS_PATH_UNLINK_FILE | __WASI_RIGHTS_PATH_FILESTAT_SET_SIZE |    \
   __WASI_RIGHTS_PATH_FILESTAT_SET_TIMES)
/* The file rights that change something. */
#define FD_MUTATING                                                           \
  (__WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_DATASYNC |                       \
   __WASI_RIGHTS_FD_SYNC | __WASI_RIGHTS_FD_ALLOCATE |                        \
   __WASI_RIGHTS_FD_FILESTAT_SET_SIZE | __WASI_RIGHTS_FD_FILESTAT_SET_TIMES)
/* What reading needs, which a read-only preopen keeps. */
#define DIR_READING                                                           \
  (__WASI_RIGHTS_PATH_OPEN | __WASI_RIGHTS_FD_READDIR |                       \
   __WASI_RIGHTS_PATH_READLINK | __WASI_RIGHTS_PATH_FILESTAT_GET |            \
   __WASI_RIGHTS_FD_FILESTAT_GET)
#define FILE_READING                                                          \
  (__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_SEEK | __WASI_RIGHTS_FD_TELL |    \
   __WASI_RIGHTS_FD_FILESTAT_GET)

/* Run through preview2 (a second argument "p2"), the official preview1
 * adapter reports a refusal with errnos of its own: preview2 has no
 * ENOTCAPABLE, so a grant's refusal arrives as EPERM, a write through a
 * descriptor opened without write as EBADF, and a call the adapter does not
 * pass on as ENOTSUP. It also makes up the preview1 rights it reports.
 * There, each mutation must be refused with an errno, the rights are not
 * looked at, and the host still checks that nothing changed. */
static int via_p2;

static int refused(int e) {
  if (!via_p2) return e == NOTCAP;
  return e == NOTCAP || e == __WASI_ERRNO_PERM || e == __WASI_ERRNO_BADF ||
         e == __WASI_ERRNO_NOTSUP || e == __WASI_ERRNO_ROFS ||
         e == __WASI_ERRNO_ACCES;
}

static int refused_libc(int e) {
  if (!via_p2) return e == ENOTCAPABLE;
  return e == ENOTCAPABLE || e == EPERM || e == EBADF || e == ENOTSUP ||
         e == EROFS || e == EACCES;
}

#define CHECK_REFUSED(call)                                                  \
  do {                                                                       \
    int got_ = (int)(call);                                                  \
    if (!refused(got_)) {                                                    \
      printf("FAIL %s:%d: %s returned %d, want a refusal\n", __FILE__,       \
             __LINE__, #call, got_);                                         \
      exit(1);                                                               \
    }                                                                        \
  } while (0)

/* A refusal for want of a preview1 right alone. preview2 has no rights, so
 * through it the call goes ahead; it changes nothing, which the host
 * checks. */
#define CHECK_RIGHT_REFUSED(call)                                            \
  do {                                                                       \
    if (via_p2)                                                              \
      (void)(call);                                                          \
    else                                                                     \
      CHECK_REFUSED(call);                                                   \
  } while (0)

static __wasi_fd_t open_read(const char *path) {
  __wasi_fd_t fd;
  CHECK_ERRNO(__wasi_path_open(RO, FOLLOW, path, 0, __WASI_RIGHTS_FD_READ, 0,
                               0, &fd),
              __WASI_ERRNO_SUCCESS);
  return fd;
}

static __wasi_errno_t try_open(const char *path, __wasi_oflags_t oflags,
                               __wasi_rights_t base,
                               __wasi_rights_t inheriting) {
  __wasi_fd_t fd = 12345;
  __wasi_errno_t e =
      __wasi_path_open(RO, FOLLOW, path, oflags, base, inheriting, 0, &fd);
  if (e == 0)
    CHECK_ERRNO(__wasi_fd_close(fd), __WASI_ERRNO_SUCCESS);
  else
    CHECK(fd == 12345);
  return e;
}

static int exists(__wasi_fd_t dir, const char *path) {
  __wasi_filestat_t st;
  return __wasi_path_filestat_get(dir, 0, path, &st) == 0;
}

/* Reading still works, and the rights say exactly what is allowed. */
static void case_rights(void) {
  __wasi_fdstat_t st;
  CHECK_ERRNO(__wasi_fd_fdstat_get(RO, &st), __WASI_ERRNO_SUCCESS);
  CHECK(st.fs_filetype == __WASI_FILETYPE_DIRECTORY);
  CHECK(via_p2 || (st.fs_rights_base & PATH_MUTATING) == 0);
  CHECK(via_p2 || (st.fs_rights_base & __WASI_RIGHTS_FD_FILESTAT_SET_TIMES) == 0);
  CHECK(via_p2 || (st.fs_rights_inheriting & (PATH_MUTATING | FD_MUTATING)) == 0);
  CHECK(via_p2 || (st.fs_rights_base & DIR_READING) == DIR_READING);
  CHECK(via_p2 || (st.fs_rights_inheriting & FILE_READING) == FILE_READING);
  /* The preopen cannot hand itself the rights back. */
  CHECK_REFUSED(__wasi_fd_fdstat_set_rights(
                  RO, st.fs_rights_base | __WASI_RIGHTS_PATH_CREATE_FILE,
                  st.fs_rights_inheriting));
  CHECK_REFUSED(__wasi_fd_fdstat_set_rights(
                  RO, st.fs_rights_base,
                  st.fs_rights_inheriting | __WASI_RIGHTS_FD_WRITE));
  /* The writable preopen next to it is writable. */
  __wasi_fdstat_t rw;
  CHECK_ERRNO(__wasi_fd_fdstat_get(RWDIR, &rw), __WASI_ERRNO_SUCCESS);
  CHECK(via_p2 || (rw.fs_rights_base & PATH_MUTATING) == PATH_MUTATING);
  CHECK(via_p2 || (rw.fs_rights_inheriting & FD_MUTATING) == FD_MUTATING);

  /* Reading, listing, stat and readlink all work. */
  char buf[32];
  FILE *f = fopen("/ro/file.txt", "r");
  CHECK(f != NULL);
  CHECK(fgets(buf, sizeof buf, f) != NULL && strcmp(buf, "read only\n") == 0);
  CHECK(fclose(f) == 0);
  __wasi_size_t n;
  CHECK_ERRNO(__wasi_path_readlink(RO, "link", (uint8_t *)buf, sizeof buf, &n),
              __WASI_ERRNO_SUCCESS);
  CHECK(n == 8 && memcmp(buf, "file.txt", 8) == 0);
  static uint8_t dirbuf[1024];
  CHECK_ERRNO(__wasi_fd_readdir(RO, dirbuf, sizeof dirbuf, 0, &n),
              __WASI_ERRNO_SUCCESS);
  CHECK(n > 0);
  CHECK(exists(RO, "dir/inner.txt") && exists(RO, "empty"));
  /* A file opened from it gets no more than reading. */
  __wasi_fd_t fd = open_read("file.txt");
  CHECK_ERRNO(__wasi_fd_fdstat_get(fd, &st), __WASI_ERRNO_SUCCESS);
  CHECK(via_p2 || (st.fs_rights_base & FD_MUTATING) == 0);
  CHECK_ERRNO(__wasi_fd_close(fd), __WASI_ERRNO_SUCCESS);
  /* Nor does a directory opened below it. */
  __wasi_fd_t dir;
  CHECK_ERRNO(__wasi_path_open(RO, FOLLOW, "dir", __WASI_OFLAGS_DIRECTORY,
                               DIR_READING, FILE_READING, 0, &dir),
              __WASI_ERRNO_SUCCESS);
  CHECK_ERRNO(__wasi_fd_fdstat_get(dir, &st), __WASI_ERRNO_SUCCESS);
  CHECK(via_p2 || (st.fs_rights_base & PATH_MUTATING) == 0);
  CHECK(via_p2 || (st.fs_rights_inheriting & (PATH_MUTATING | FD_MUTATING)) == 0);
  CHECK_ERRNO(__wasi_fd_close(dir), __WASI_ERRNO_SUCCESS);
  CHECK_RIGHT_REFUSED(try_open("dir", __WASI_OFLAGS_DIRECTORY,
                       DIR_READING | __WASI_RIGHTS_PATH_CREATE_FILE, 0));
}

static void case_open_trunc(void) {
  /* TRUNC alone, asking only to read: truncating is still a change. */
  CHECK_REFUSED(try_open("file.txt", __WASI_OFLAGS_TRUNC, __WASI_RIGHTS_FD_READ,
                       0));
  CHECK_REFUSED(try_open("file.txt", __WASI_OFLAGS_TRUNC, 0, 0));
  CHECK_REFUSED(try_open("dir/inner.txt", __WASI_OFLAGS_TRUNC,
                       __WASI_RIGHTS_FD_READ, 0));
  CHECK_REFUSED(try_open("link", __WASI_OFLAGS_TRUNC, __WASI_RIGHTS_FD_READ, 0));
  errno = 0;
  CHECK(open("/ro/file.txt", O_RDONLY | O_TRUNC) == -1 &&
        refused_libc(errno));
  errno = 0;
  CHECK(open("/ro/file.txt", O_WRONLY | O_TRUNC) == -1 &&
        refused_libc(errno));
}

static void case_open_creat(void) {
  CHECK_REFUSED(try_open("new.txt", __WASI_OFLAGS_CREAT, __WASI_RIGHTS_FD_READ,
                       0));
  CHECK_REFUSED(try_open("new.txt", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL,
                       __WASI_RIGHTS_FD_READ, 0));
  /* Even when the file already exists. */
  CHECK_REFUSED(try_open("file.txt", __WASI_OFLAGS_CREAT, __WASI_RIGHTS_FD_READ,
                       0));
  CHECK_REFUSED(try_open("dir/new.txt", __WASI_OFLAGS_CREAT,
                       __WASI_RIGHTS_FD_READ, 0));
  errno = 0;
  CHECK(open("/ro/new.txt", O_RDONLY | O_CREAT, 0644) == -1 &&
        refused_libc(errno));
  errno = 0;
  CHECK(fopen("/ro/new.txt", "w") == NULL && refused_libc(errno));
  errno = 0;
  CHECK(fopen("/ro/file.txt", "a") == NULL && refused_libc(errno));
  CHECK(!exists(RO, "new.txt") && !exists(RO, "dir/new.txt"));
}

/* O_RDWR under the read-only grant opens for reading only; the write is
 * what fails. */
static void rdwr_open_cannot_write(void) {
  int fd = open("/ro/file.txt", O_RDWR);
  /* Through preview2 the adapter claims every right, so wasi-libc asks
   * for writing too and the open itself is refused. */
  if (via_p2 && fd < 0) {
    CHECK(refused_libc(errno));
    return;
  }
  CHECK(fd >= 0);
  /* The host answers ENOTCAPABLE; wasi-libc reports that from write(2)
   * as EBADF, which is what POSIX says for a descriptor not open for
   * writing. The raw call shows the errno the host gave. */
  errno = 0;
  CHECK(write(fd, "x", 1) == -1 && errno == EBADF);
  errno = 0;
  CHECK(pwrite(fd, "x", 1, 0) == -1 && errno == EBADF);
  __wasi_ciovec_t raw = {(const uint8_t *)"x", 1};
  __wasi_size_t raw_n = 0;
  CHECK_REFUSED(__wasi_fd_write((__wasi_fd_t)fd, &raw, 1, &raw_n));
  char buf[4];
  CHECK(read(fd, buf, 4) == 4 && memcmp(buf, "read", 4) == 0);
  CHECK(close(fd) == 0);
}

static void case_open_write(void) {
  /* Asking for FD_WRITE outright is beyond the inheriting rights. */
  CHECK_REFUSED(try_open("file.txt", 0, __WASI_RIGHTS_FD_WRITE, 0));
  CHECK_REFUSED(try_open("file.txt", 0,
                       __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE, 0));
  CHECK_RIGHT_REFUSED(try_open("file.txt", 0, __WASI_RIGHTS_FD_READ,
                       __WASI_RIGHTS_FD_WRITE));
  /* wasi-libc masks O_RDWR down to reading, so the write is what fails. */
  rdwr_open_cannot_write();
  int fd = open("/ro/file.txt", O_WRONLY | O_APPEND);
  if (fd >= 0) {
    errno = 0;
    CHECK(write(fd, "x", 1) == -1 && refused_libc(errno));
    CHECK(close(fd) == 0);
  } else {
    CHECK(refused_libc(errno));
  }
  /* A read-only descriptor cannot gain FD_WRITE. */
  __wasi_fd_t rfd = open_read("file.txt");
  __wasi_fdstat_t st;
  CHECK_ERRNO(__wasi_fd_fdstat_get(rfd, &st), __WASI_ERRNO_SUCCESS);
  CHECK_REFUSED(__wasi_fd_fdstat_set_rights(
                  rfd, st.fs_rights_base | __WASI_RIGHTS_FD_WRITE, 0));
  __wasi_ciovec_t iov = {(const uint8_t *)"x", 1};
  __wasi_size_t n;
  CHECK_REFUSED(__wasi_fd_write(rfd, &iov, 1, &n));
  CHECK_REFUSED(__wasi_fd_pwrite(rfd, &iov, 1, 0, &n));
  CHECK_ERRNO(__wasi_fd_close(rfd), __WASI_ERRNO_SUCCESS);
}

static void case_mkdir(void) {
  CHECK_REFUSED(__wasi_path_create_directory(RO, "newdir"));
  CHECK_REFUSED(__wasi_path_create_directory(RO, "dir/newdir"));
  /* The rights are checked before the name is looked at. */
  CHECK_REFUSED(__wasi_path_create_directory(RO, "dir"));
  errno = 0;
  CHECK(mkdir("/ro/newdir", 0755) == -1 && refused_libc(errno));
  CHECK(!exists(RO, "newdir") && !exists(RO, "dir/newdir"));
}

static void case_unlink(void) {
  CHECK_REFUSED(__wasi_path_unlink_file(RO, "file.txt"));
  CHECK_REFUSED(__wasi_path_unlink_file(RO, "link"));
  CHECK_REFUSED(__wasi_path_unlink_file(RO, "dir/inner.txt"));
  CHECK_REFUSED(__wasi_path_unlink_file(RO, "missing"));
  errno = 0;
  CHECK(unlink("/ro/file.txt") == -1 && refused_libc(errno));
  CHECK(exists(RO, "file.txt") && exists(RO, "link") &&
        exists(RO, "dir/inner.txt"));
}

static void case_rmdir(void) {
  CHECK_REFUSED(__wasi_path_remove_directory(RO, "empty"));
  CHECK_REFUSED(__wasi_path_remove_directory(RO, "dir"));
  errno = 0;
  CHECK(rmdir("/ro/empty") == -1 && refused_libc(errno));
  CHECK(exists(RO, "empty"));
}

static void case_rename(void) {
  CHECK_REFUSED(__wasi_path_rename(RO, "file.txt", RO, "moved.txt"));
  CHECK_REFUSED(__wasi_path_rename(RO, "file.txt", RO, "dir/inner.txt"));
  CHECK_REFUSED(__wasi_path_rename(RO, "empty", RO, "moved"));
  CHECK_REFUSED(__wasi_path_rename(RO, "link", RO, "link2"));
  errno = 0;
  CHECK(rename("/ro/file.txt", "/ro/moved.txt") == -1 && refused_libc(errno));
  CHECK(exists(RO, "file.txt") && !exists(RO, "moved.txt"));
}

static void case_link(void) {
  CHECK_REFUSED(__wasi_path_link(RO, 0, "file.txt", RO, "hard.txt"));
  CHECK_REFUSED(__wasi_path_link(RO, 0, "file.txt", RO, "dir/hard.txt"));
  errno = 0;
  CHECK(link("/ro/file.txt", "/ro/hard.txt") == -1 && refused_libc(errno));
  CHECK(!exists(RO, "hard.txt"));
}

static void case_symlink(void) {
  CHECK_REFUSED(__wasi_path_symlink("file.txt", RO, "sl"));
  CHECK_REFUSED(__wasi_path_symlink("../file.txt", RO, "dir/sl"));
  errno = 0;
  CHECK(symlink("file.txt", "/ro/sl") == -1 && refused_libc(errno));
  CHECK(!exists(RO, "sl"));
}

static void case_set_size(void) {
  /* p1 has no path_filestat_set_size; the size changes only through an
   * fd, and a file opened from /ro has no right to. */
  __wasi_fd_t fd = open_read("file.txt");
  CHECK_REFUSED(__wasi_fd_filestat_set_size(fd, 0));
  CHECK_REFUSED(__wasi_fd_filestat_set_size(fd, 100));
  CHECK_ERRNO(__wasi_fd_close(fd), __WASI_ERRNO_SUCCESS);
  CHECK_RIGHT_REFUSED(try_open("file.txt", 0,
                       __WASI_RIGHTS_FD_READ |
                           __WASI_RIGHTS_FD_FILESTAT_SET_SIZE,
                       0));
  int lfd = open("/ro/file.txt", O_RDWR);
  if (via_p2 && lfd < 0) {
    CHECK(refused_libc(errno));
    return;
  }
  CHECK(lfd >= 0);
  errno = 0;
  CHECK(ftruncate(lfd, 0) == -1 && refused_libc(errno));
  CHECK(close(lfd) == 0);
}

static void case_set_times(void) {
  __wasi_filestat_t before, after;
  CHECK_ERRNO(__wasi_path_filestat_get(RO, 0, "file.txt", &before),
              __WASI_ERRNO_SUCCESS);
  CHECK_REFUSED(__wasi_path_filestat_set_times(RO, FOLLOW, "file.txt", 1, 1,
                                             ATIM_MTIM));
  CHECK_REFUSED(__wasi_path_filestat_set_times(RO, FOLLOW, "file.txt", 0, 0,
                                             NOW));
  CHECK_REFUSED(__wasi_path_filestat_set_times(RO, 0, "link", 1, 1, ATIM_MTIM));
  CHECK_REFUSED(__wasi_path_filestat_set_times(RO, FOLLOW, "dir", 1, 1,
                                             ATIM_MTIM));
  /* Through descriptors: a file opened from /ro, and /ro itself. */
  __wasi_fd_t fd = open_read("file.txt");
  CHECK_REFUSED(__wasi_fd_filestat_set_times(fd, 1, 1, ATIM_MTIM));
  CHECK_REFUSED(__wasi_fd_filestat_set_times(fd, 0, 0, NOW));
  CHECK_ERRNO(__wasi_fd_close(fd), __WASI_ERRNO_SUCCESS);
  CHECK_REFUSED(__wasi_fd_filestat_set_times(RO, 1, 1, ATIM_MTIM));
  CHECK_RIGHT_REFUSED(try_open("file.txt", 0,
                       __WASI_RIGHTS_FD_READ |
                           __WASI_RIGHTS_FD_FILESTAT_SET_TIMES,
                       0));
  CHECK_ERRNO(__wasi_path_filestat_get(RO, 0, "file.txt", &after),
              __WASI_ERRNO_SUCCESS);
  CHECK(after.mtim == before.mtim);
}

static void case_allocate(void) {
  __wasi_fd_t fd = open_read("file.txt");
  CHECK_REFUSED(__wasi_fd_allocate(fd, 0, 4096));
  /* Syncing is a write-side right too. */
  CHECK_RIGHT_REFUSED(__wasi_fd_sync(fd));
  CHECK_RIGHT_REFUSED(__wasi_fd_datasync(fd));
  CHECK_ERRNO(__wasi_fd_close(fd), __WASI_ERRNO_SUCCESS);
  CHECK_RIGHT_REFUSED(try_open("file.txt", 0,
                             __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_ALLOCATE,
                             0));
  __wasi_filestat_t st;
  CHECK_ERRNO(__wasi_path_filestat_get(RO, 0, "file.txt", &st),
              __WASI_ERRNO_SUCCESS);
  CHECK(st.size == 10);
}

static void case_cross_link(void) {
  /* From /ro into /rw: /ro may not be a link source. */
  CHECK_REFUSED(__wasi_path_link(RO, 0, "file.txt", RWDIR, "stolen.txt"));
  /* From /rw into /ro: /ro may not be a link target. */
  CHECK_REFUSED(__wasi_path_link(RWDIR, 0, "rwfile.txt", RO, "planted.txt"));
  errno = 0;
  CHECK(link("/ro/file.txt", "/rw/stolen.txt") == -1 && refused_libc(errno));
  errno = 0;
  CHECK(link("/rw/rwfile.txt", "/ro/planted.txt") == -1 &&
        refused_libc(errno));
  CHECK(!exists(RWDIR, "stolen.txt") && !exists(RO, "planted.txt"));
}

static void case_cross_rename(void) {
  CHECK_REFUSED(__wasi_path_rename(RO, "file.txt", RWDIR, "stolen.txt"));
  CHECK_REFUSED(__wasi_path_rename(RO, "empty", RWDIR, "stolen"));
  CHECK_REFUSED(__wasi_path_rename(RWDIR, "rwfile.txt", RO, "planted.txt"));
  CHECK_REFUSED(__wasi_path_rename(RWDIR, "rwfile.txt", RO, "file.txt"));
  errno = 0;
  CHECK(rename("/ro/file.txt", "/rw/stolen.txt") == -1 &&
        refused_libc(errno));
  errno = 0;
  CHECK(rename("/rw/rwfile.txt", "/ro/planted.txt") == -1 &&
        refused_libc(errno));
  CHECK(exists(RO, "file.txt") && exists(RWDIR, "rwfile.txt"));
  CHECK(!exists(RWDIR, "stolen.txt") && !exists(RO, "planted.txt"));
}

static const struct {
  const char *name;
  void (*run)(void);
} cases[] = {
    {"rights", case_rights},         {"open_trunc", case_open_trunc},
    {"open_creat", case_open_creat}, {"open_write", case_open_write},
    {"mkdir", case_mkdir},           {"unlink", case_unlink},
    {"rmdir", case_rmdir},           {"rename", case_rename},
    {"link", case_link},             {"symlink", case_symlink},
    {"set_size", case_set_size},     {"set_times", case_set_times},
    {"allocate", case_allocate},     {"cross_link", case_cross_link},
    {"cross_rename", case_cross_rename},
};

int main(int argc, char **argv) {
  CHECK(argc == 2 || argc == 3);
  via_p2 = argc == 3 && strcmp(argv[2], "p2") == 0;
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
    if (strcmp(argv[1], cases[i].name) == 0) {
      cases[i].run();
      /* Whatever was refused, the file reads as before. */
      char buf[16];
      FILE *f = fopen("/ro/file.txt", "r");
      CHECK(f != NULL);
      CHECK(fgets(buf, sizeof buf, f) != NULL &&
            strcmp(buf, "read only\n") == 0);
      CHECK(fclose(f) == 0);
      printf("ok %s\n", argv[1]);
      return 0;
    }
  printf("unknown case %s\n", argv[1]);
  return 2;
}
