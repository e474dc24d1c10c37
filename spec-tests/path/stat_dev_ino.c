/* Stable identity from stat: dev and ino agree between path_filestat_get,
 * fd_filestat_get and fd_readdir, survive renames and reopening, and tell
 * different files apart; the other filestat fields describe the file.
 *
 * Programs (and wasi-libc's own code) compare dev/ino pairs to find out
 * whether two names are one file, so the numbers must be the host's own,
 * not made up per descriptor. */
#include "spec.h"

static __wasi_fd_t dir;

static __wasi_filestat_t at(const char *path) {
  __wasi_filestat_t st;
  memset(&st, 0xff, sizeof st);
  OK(__wasi_path_filestat_get(dir, NOFOLLOW, path, &st));
  return st;
}

static __wasi_filestat_t of(__wasi_fd_t fd) {
  __wasi_filestat_t st;
  memset(&st, 0xff, sizeof st);
  OK(__wasi_fd_filestat_get(fd, &st));
  return st;
}

static int same(__wasi_filestat_t a, __wasi_filestat_t b) {
  return a.dev == b.dev && a.ino == b.ino;
}

/* The d_ino fd_readdir reports for `name` in `fd`, or 0. */
static __wasi_inode_t listed_ino(__wasi_fd_t fd, const char *name) {
  uint8_t buf[4096];
  __wasi_size_t used = 0;
  if (__wasi_fd_readdir(fd, buf, sizeof buf, 0, &used) != 0) return 0;
  size_t off = 0;
  while (off + sizeof(__wasi_dirent_t) <= used) {
    __wasi_dirent_t d;
    memcpy(&d, buf + off, sizeof d);
    off += sizeof d;
    if (off + d.d_namlen > used) break;
    if (d.d_namlen == strlen(name) && memcmp(buf + off, name, d.d_namlen) == 0)
      return d.d_ino;
    off += d.d_namlen;
  }
  return 0;
}

int main(void) {
  __wasi_fd_t top = test_dir("fs-tests.dir");
  dir = scratch(top, "stat_dev_ino.cleanup");
  MUST(put_file(dir, "one", "1"));
  MUST(put_file(dir, "two", "22"));
  MUST(__wasi_path_create_directory(dir, "sub"));

  section("repeated stats agree");
  EXPECT(same(at("one"), at("one")));
  EXPECT(at("one").ino != 0);
  EXPECT(same(at("sub"), at("sub")));
  EXPECT(same(at("sub"), at("sub/.")));
  EXPECT(same(at("."), at("sub/..")));

  section("different files differ");
  EXPECT(!same(at("one"), at("two")));
  EXPECT(at("one").dev == at("two").dev);
  EXPECT(!same(at("one"), at("sub")));
  EXPECT(!same(at("."), at("sub")));

  section("descriptors agree with paths");
  __wasi_fd_t fd, fd2;
  MUST(__wasi_path_open(dir, FOLLOW, "one", 0, __WASI_RIGHTS_FD_FILESTAT_GET, 0,
                        0, &fd));
  MUST(__wasi_path_open(dir, FOLLOW, "one", 0, __WASI_RIGHTS_FD_FILESTAT_GET, 0,
                        0, &fd2));
  EXPECT(same(of(fd), at("one")));
  EXPECT(same(of(fd), of(fd2)));
  OK(__wasi_fd_close(fd2));
  EXPECT(same(of(dir), at(".")));
  __wasi_filestat_t top_st;
  __wasi_filestat_t top_dot;
  EXPECT(OK(__wasi_fd_filestat_get(top, &top_st)) &&
         OK(__wasi_path_filestat_get(top, NOFOLLOW, ".", &top_dot)) &&
         same(top_st, top_dot));
  EXPECT(OK(__wasi_path_filestat_get(top, NOFOLLOW, "stat_dev_ino.cleanup",
                                     &top_dot)) &&
         same(of(dir), top_dot));
  __wasi_fd_t sub;
  MUST(open_dir_at(dir, "sub", &sub));
  EXPECT(same(of(sub), at("sub")));
  OK(__wasi_fd_close(sub));

  section("fd_readdir agrees with stat");
  EXPECT(listed_ino(dir, "one") == at("one").ino);
  EXPECT(listed_ino(dir, "two") == at("two").ino);
  EXPECT(listed_ino(dir, "sub") == at("sub").ino);
  EXPECT(listed_ino(dir, ".") == at(".").ino);

  section("identity survives rename and reopen");
  __wasi_filestat_t before = at("one");
  OK(__wasi_path_rename(dir, "one", dir, "sub/renamed"));
  EXPECT(same(at("sub/renamed"), before));
  EXPECT(same(of(fd), before));
  OK(__wasi_path_rename(dir, "sub/renamed", dir, "one"));
  MUST(__wasi_path_open(dir, FOLLOW, "one", 0, __WASI_RIGHTS_FD_FILESTAT_GET, 0,
                        0, &fd2));
  EXPECT(same(of(fd2), before));
  OK(__wasi_fd_close(fd2));
  /* Writing changes the size, never the identity. */
  MUST(put_file(dir, "one", "longer now"));
  EXPECT(same(at("one"), before));
  OK(__wasi_fd_close(fd));

  section("filestat fields");
  __wasi_filestat_t st = at("two");
  EXPECT(st.filetype == __WASI_FILETYPE_REGULAR_FILE);
  EXPECT(st.size == 2 && st.nlink == 1);
  EXPECT(st.mtim != 0 && st.atim != 0 && st.ctim != 0);
  st = at("sub");
  EXPECT(st.filetype == __WASI_FILETYPE_DIRECTORY);
  ERR(__wasi_path_filestat_get(dir, FOLLOW, "missing", &st), NOENT);
  ERR(__wasi_path_filestat_get(dir, FOLLOW, "two/x", &st), NOTDIR);
  ERR(__wasi_path_filestat_get(dir, FOLLOW, "", &st), NOENT);
  ERR(__wasi_path_filestat_get(dir, 2, "two", &st), INVAL);
  ERR(__wasi_fd_filestat_get(0x7fffffff, &st), BADF);

  drop_scratch(top, "stat_dev_ino.cleanup", dir);
  return finish();
}
