/* fd_readdir: `.` and `..`, entry types and inodes, cookies that resume
 * anywhere and stay stable, buffers too small for one entry (which are
 * filled to the brim, the entry cut, so the caller knows to retry with a
 * bigger one), a directory of thousands of entries listed completely with
 * every buffer size, and seeking on a directory descriptor.
 *
 * Seeking a directory works on Linux (lseek on a directory fd), but a
 * preview1 directory never holds FD_SEEK or FD_TELL, so fd_seek and fd_tell
 * fail; runtimes answer EBADF, ENOTCAPABLE or EISDIR and any is accepted. */
#include "spec.h"

#define MANY 3000
#define HEADER ((__wasi_size_t)sizeof(__wasi_dirent_t))

static __wasi_fd_t dir;

struct entry {
  char name[16];
  __wasi_dircookie_t next;
  __wasi_inode_t ino;
  __wasi_filetype_t type;
};

static struct entry listing[MANY + 8];
static uint8_t buf[70000];

/* Lists `fd` from `cookie` with `bufsize` bytes per call, retrying from the
 * last whole entry when one is cut, as wasi-libc's readdir does. Returns the
 * number of entries, or -1 if a call or a record misbehaved. */
static int list(__wasi_fd_t fd, __wasi_dircookie_t cookie, size_t bufsize) {
  int count = 0;
  for (int calls = 0; calls < 100000; calls++) {
    __wasi_size_t used = 0;
    memset(buf, 0xAA, bufsize + 1);
    if (__wasi_fd_readdir(fd, buf, bufsize, cookie, &used) != 0) return -1;
    if (used > bufsize || buf[bufsize] != 0xAA) return -1;
    size_t off = 0;
    int whole = 0;
    while (off + HEADER <= used) {
      __wasi_dirent_t d;
      memcpy(&d, buf + off, HEADER);
      if (off + HEADER + d.d_namlen > used) break;
      if (count >= MANY + 8 || d.d_namlen == 0 ||
          d.d_namlen >= sizeof listing[0].name)
        return -1;
      memcpy(listing[count].name, buf + off + HEADER, d.d_namlen);
      listing[count].name[d.d_namlen] = 0;
      listing[count].next = d.d_next;
      listing[count].ino = d.d_ino;
      listing[count].type = d.d_type;
      cookie = d.d_next;
      count++;
      whole++;
      off += HEADER + d.d_namlen;
    }
    /* A buffer that is not full is the end of the directory, and then the
     * last record must be whole. */
    if (used < bufsize) return off == used ? count : -1;
    /* A full buffer must have made progress, unless even one entry did
     * not fit, which only a buffer smaller than one entry excuses. */
    if (whole == 0 && bufsize >= HEADER + 16) return -1;
    if (whole == 0) return count;
  }
  return -1;
}

static int find(int count, const char *name) {
  for (int i = 0; i < count; i++)
    if (strcmp(listing[i].name, name) == 0) return i;
  return -1;
}

static __wasi_inode_t ino_of(const char *path) {
  __wasi_filestat_t st;
  if (__wasi_path_filestat_get(dir, NOFOLLOW, path, &st)) return 0;
  return st.ino;
}

int main(void) {
  __wasi_fd_t top = test_dir("fs-tests.dir");
  dir = scratch(top, "readdir.cleanup");
  MUST(__wasi_path_create_directory(dir, "small"));
  MUST(put_file(dir, "small/file", "x"));
  MUST(__wasi_path_create_directory(dir, "small/subdir"));
  MUST(__wasi_path_symlink("file", dir, "small/link"));
  __wasi_fd_t small;
  MUST(open_dir_at(dir, "small", &small));
  int n;

  section("entries, types and inodes");
  n = list(small, 0, 4096);
  EXPECT(n == 5);
  int i_dot = find(n, "."), i_up = find(n, ".."), i_file = find(n, "file"),
      i_sub = find(n, "subdir"), i_link = find(n, "link");
  EXPECT(i_dot >= 0 && i_up >= 0 && i_file >= 0 && i_sub >= 0 && i_link >= 0);
  if (i_dot >= 0 && i_up >= 0 && i_file >= 0 && i_sub >= 0 && i_link >= 0) {
    EXPECT(listing[i_dot].type == __WASI_FILETYPE_DIRECTORY);
    EXPECT(listing[i_up].type == __WASI_FILETYPE_DIRECTORY);
    EXPECT(listing[i_file].type == __WASI_FILETYPE_REGULAR_FILE);
    EXPECT(listing[i_sub].type == __WASI_FILETYPE_DIRECTORY);
    /* Entries describe themselves: a link is a link, not its target. */
    EXPECT(listing[i_link].type == __WASI_FILETYPE_SYMBOLIC_LINK);
    EXPECT(listing[i_dot].ino == ino_of("small"));
    /* `..`'s inode is not checked: where the parent lies outside what
     * the descriptor grants, a runtime may report the directory's own. */
    EXPECT(listing[i_file].ino == ino_of("small/file"));
    EXPECT(listing[i_sub].ino == ino_of("small/subdir"));
    EXPECT(listing[i_link].ino == ino_of("small/link"));
  }
  /* Every cookie is distinct and the listing ends after the last one. */
  for (int i = 0; i < n; i++)
    for (int j = i + 1; j < n; j++) EXPECT(listing[i].next != listing[j].next);
  __wasi_size_t used = 99;
  if (n > 0) {
    OK(__wasi_fd_readdir(small, buf, sizeof buf, listing[n - 1].next, &used));
    EXPECT(used == 0);
  }
  OK(__wasi_fd_readdir(small, buf, sizeof buf, 1000000, &used));
  EXPECT(used == 0);

  section("cookies resume anywhere");
  struct entry whole[8];
  memcpy(whole, listing, sizeof whole);
  for (int start = 0; start < 5; start++) {
    /* Resuming after entry `start` gives exactly the entries after it. */
    int m = list(small, whole[start].next, 4096);
    EXPECT(m == 4 - start);
    for (int k = 0; k < m && k + start + 1 < 5; k++)
      EXPECT(strcmp(listing[k].name, whole[k + start + 1].name) == 0 &&
             listing[k].next == whole[k + start + 1].next);
  }
  /* Going back to the start after reading to the end lists it all again. */
  EXPECT(list(small, 0, 4096) == 5);
  /* An entry added after a listing began shows up in a new one. */
  MUST(put_file(dir, "small/late", "y"));
  n = list(small, 0, 4096);
  EXPECT(n == 6 && find(n, "late") >= 0);
  MUST(__wasi_path_unlink_file(dir, "small/late"));
  EXPECT(list(small, 0, 4096) == 5);

  section("buffers that cut an entry");
  /* Too small for even a header: the buffer comes back full. */
  for (__wasi_size_t size = 1; size < HEADER + 4; size += 5) {
    used = 0;
    OK(__wasi_fd_readdir(small, buf, size, 0, &used));
    EXPECT(used == size);
  }
  /* Room for the header of `.` but not its one-byte name: full, and the
   * header that did fit is `.`'s. */
  used = 0;
  OK(__wasi_fd_readdir(small, buf, HEADER, 0, &used));
  EXPECT(used == HEADER);
  __wasi_dirent_t d;
  memcpy(&d, buf, HEADER);
  EXPECT(d.d_namlen == 1 && d.d_type == __WASI_FILETYPE_DIRECTORY);
  /* An empty buffer gets nothing. */
  used = 99;
  OK(__wasi_fd_readdir(small, buf, 0, 0, &used));
  EXPECT(used == 0);
  /* Every size from one entry up gives the same listing. */
  for (size_t size = HEADER + 6; size < 200; size += 7) {
    int m = list(small, 0, size);
    EXPECT(m == 5);
    for (int k = 0; k < m && k < 5; k++)
      EXPECT(strcmp(listing[k].name, whole[k].name) == 0);
  }

  section("thousands of entries");
  char name[16];
  for (int i = 0; i < MANY; i++) {
    snprintf(name, sizeof name, "big/f%04d", i);
    if (i == 0) MUST(__wasi_path_create_directory(dir, "big"));
    __wasi_fd_t f;
    MUST(__wasi_path_open(dir, NOFOLLOW, name,
                          __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL, 0, 0, 0,
                          &f));
    MUST(__wasi_fd_close(f));
  }
  __wasi_fd_t big;
  MUST(open_dir_at(dir, "big", &big));
  static char seen[MANY];
  size_t sizes[] = {65536, 4096, 300, HEADER + 5};
  for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
    n = list(big, 0, sizes[s]);
    EXPECT(n == MANY + 2);
    memset(seen, 0, sizeof seen);
    int dupes = 0, strays = 0;
    for (int i = 0; i < n; i++) {
      int k;
      if (strcmp(listing[i].name, ".") == 0 || strcmp(listing[i].name, "..") == 0)
        continue;
      if (sscanf(listing[i].name, "f%04d", &k) != 1 || k < 0 || k >= MANY) {
        strays++;
        continue;
      }
      if (seen[k]++) dupes++;
    }
    EXPECT(dupes == 0 && strays == 0);
  }
  /* Resuming from the middle of a big listing gives its tail. */
  n = list(big, 0, 65536);
  if (n == MANY + 2) {
    __wasi_dircookie_t mid = listing[1499].next;
    char after[16];
    memcpy(after, listing[1500].name, sizeof after);
    int m = list(big, mid, 4096);
    EXPECT(m == MANY + 2 - 1500 && strcmp(listing[0].name, after) == 0);
  }
  OK(__wasi_fd_close(big));
  OK(remove_tree(dir, "big"));

  section("seeking a directory");
  __wasi_filesize_t pos = 0;
  ERR3(__wasi_fd_seek(small, 0, __WASI_WHENCE_SET, &pos), BADF, NOTCAPABLE,
       ISDIR);
  ERR3(__wasi_fd_seek(small, 0, __WASI_WHENCE_CUR, &pos), BADF, NOTCAPABLE,
       ISDIR);
  ERR3(__wasi_fd_seek(small, 0, __WASI_WHENCE_END, &pos), BADF, NOTCAPABLE,
       ISDIR);
  ERR3(__wasi_fd_tell(small, &pos), BADF, NOTCAPABLE, ISDIR);
  /* Asking for the right does not grant it: a directory cannot hold it. */
  __wasi_fd_t seekable;
  if (OK(__wasi_path_open(dir, FOLLOW, "small", __WASI_OFLAGS_DIRECTORY,
                          __WASI_RIGHTS_FD_SEEK | __WASI_RIGHTS_FD_TELL |
                              __WASI_RIGHTS_FD_READDIR,
                          0, 0, &seekable))) {
    __wasi_fdstat_t st;
    EXPECT(OK(__wasi_fd_fdstat_get(seekable, &st)) &&
           !(st.fs_rights_base &
             (__WASI_RIGHTS_FD_SEEK | __WASI_RIGHTS_FD_TELL)));
    ERR3(__wasi_fd_seek(seekable, 0, __WASI_WHENCE_SET, &pos), BADF,
         NOTCAPABLE, ISDIR);
    /* Cookies are how a directory is rewound. */
    EXPECT(list(seekable, 0, 4096) == 5);
    EXPECT(list(seekable, 0, 4096) == 5);
    OK(__wasi_fd_close(seekable));
  }

  section("fd_readdir errors");
  __wasi_fd_t file;
  MUST(__wasi_path_open(dir, FOLLOW, "small/file", 0,
                        __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_READDIR, 0, 0,
                        &file));
  /* Linux says ENOTDIR; a file cannot hold FD_READDIR, so ENOTCAPABLE or
   * EBADF are preview1's ways of saying the same. */
  ERR3(__wasi_fd_readdir(file, buf, 100, 0, &used), NOTDIR, BADF, NOTCAPABLE);
  OK(__wasi_fd_close(file));
  ERR(__wasi_fd_readdir(file, buf, 100, 0, &used), BADF);
  /* Listing needs FD_READDIR. */
  __wasi_fd_t blind;
  MUST(__wasi_path_open(dir, FOLLOW, "small", __WASI_OFLAGS_DIRECTORY,
                        __WASI_RIGHTS_FD_FILESTAT_GET, 0, 0, &blind));
  ERR(__wasi_fd_readdir(blind, buf, 100, 0, &used), NOTCAPABLE);
  OK(__wasi_fd_close(blind));
  OK(__wasi_fd_close(small));

  drop_scratch(top, "readdir.cleanup", dir);
  return finish();
}
