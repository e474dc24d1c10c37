/* Directory listing: fd_readdir through wasi-libc's opendir/readdir and
 * raw, with "." and "..", cookies that resume and stay stable, buffers
 * too small for an entry, and a host-made directory "big" of 5000 files
 * (e0000 .. e4999) that must be listed completely and without duplicates.
 * Listings after the directory changed: a rewind sees the change, and an
 * old cookie neither repeats nor loses what the change left alone.
 * The sandbox is fd 3. */
#include <dirent.h>
#include <stdint.h>
#include <wasi/api.h>

#include "check.h"

#define SANDBOX 3
#define FOLLOW __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW
#define BIG 5000
#define HEADER ((uint32_t)sizeof(__wasi_dirent_t))

struct entry {
  char name[32];
  __wasi_dircookie_t next;
  __wasi_inode_t ino;
  __wasi_filetype_t type;
};

static __wasi_fd_t open_dir(const char *path) {
  __wasi_fd_t fd;
  CHECK_ERRNO(__wasi_path_open(SANDBOX, FOLLOW, path, __WASI_OFLAGS_DIRECTORY,
                               __WASI_RIGHTS_FD_READDIR |
                                   __WASI_RIGHTS_PATH_OPEN |
                                   __WASI_RIGHTS_PATH_FILESTAT_GET,
                               0, 0, &fd),
              __WASI_ERRNO_SUCCESS);
  return fd;
}

static void put(const char *path) {
  __wasi_fd_t fd;
  CHECK_ERRNO(__wasi_path_open(SANDBOX, FOLLOW, path,
                               __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL,
                               __WASI_RIGHTS_FD_WRITE, 0, 0, &fd),
              __WASI_ERRNO_SUCCESS);
  CHECK_ERRNO(__wasi_fd_close(fd), __WASI_ERRNO_SUCCESS);
}

/* Lists `fd` from `cookie` with a buffer of `bufsize` bytes per call,
 * re-reading from the last whole entry whenever one is cut off, as
 * wasi-libc does. Returns the number of entries stored in `out`. */
static size_t list(__wasi_fd_t fd, __wasi_dircookie_t cookie, size_t bufsize,
                   struct entry *out, size_t cap) {
  static uint8_t buf[65536];
  CHECK(bufsize < sizeof buf);
  size_t count = 0;
  for (;;) {
    __wasi_size_t used = 0;
    memset(buf, 0xAA, bufsize + 1);
    CHECK_ERRNO(__wasi_fd_readdir(fd, buf, bufsize, cookie, &used),
                __WASI_ERRNO_SUCCESS);
    CHECK(used <= bufsize);
    CHECK(buf[bufsize] == 0xAA); /* nothing written past the buffer */
    size_t off = 0, whole = 0;
    while (off + HEADER <= used) {
      __wasi_dirent_t d;
      memcpy(&d, buf + off, HEADER);
      if (off + HEADER + d.d_namlen > used) break;
      CHECK(count < cap);
      CHECK(d.d_namlen > 0 && d.d_namlen < sizeof out->name);
      memcpy(out[count].name, buf + off + HEADER, d.d_namlen);
      out[count].name[d.d_namlen] = 0;
      CHECK(strlen(out[count].name) == d.d_namlen);
      out[count].next = d.d_next;
      out[count].ino = d.d_ino;
      out[count].type = d.d_type;
      cookie = d.d_next;
      count++;
      whole++;
      off += HEADER + d.d_namlen;
    }
    if (used < bufsize) {
      /* End of directory: the last entry must have been whole. */
      CHECK(off == used);
      return count;
    }
    /* A full buffer means more may follow; it must have made progress. */
    CHECK(whole > 0);
  }
}

static const struct entry *find(const struct entry *e, size_t n,
                                const char *name) {
  const struct entry *hit = NULL;
  for (size_t i = 0; i < n; i++)
    if (strcmp(e[i].name, name) == 0) {
      CHECK(hit == NULL); /* listed once */
      hit = &e[i];
    }
  return hit;
}

/* True when two listings agree entry by entry: names, cookies, inodes and
 * types. */
static int same(const struct entry *a, const struct entry *b, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (strcmp(a[i].name, b[i].name) != 0 || a[i].next != b[i].next ||
        a[i].ino != b[i].ino || a[i].type != b[i].type)
      return 0;
  return 1;
}

static struct entry full[16], part[16];

static void test_raw(void) {
  CHECK_ERRNO(__wasi_path_create_directory(SANDBOX, "small"),
              __WASI_ERRNO_SUCCESS);
  put("small/a");
  put("small/bb");
  put("small/a-much-longer-name.txt");
  CHECK_ERRNO(__wasi_path_create_directory(SANDBOX, "small/sub"),
              __WASI_ERRNO_SUCCESS);
  CHECK_ERRNO(__wasi_path_symlink("a", SANDBOX, "small/link"),
              __WASI_ERRNO_SUCCESS);
  __wasi_fd_t fd = open_dir("small");

  size_t n = list(fd, 0, 4096, full, 16);
  CHECK(n == 7);
  /* "." and ".." come first, with cookies 1 and 2 after them. */
  CHECK(strcmp(full[0].name, ".") == 0 && full[0].next == 1);
  CHECK(strcmp(full[1].name, "..") == 0 && full[1].next == 2);
  CHECK(full[0].type == __WASI_FILETYPE_DIRECTORY);
  CHECK(full[1].type == __WASI_FILETYPE_DIRECTORY);
  const char *names[] = {"a", "bb", "a-much-longer-name.txt", "sub", "link"};
  const __wasi_filetype_t types[] = {
      __WASI_FILETYPE_REGULAR_FILE, __WASI_FILETYPE_REGULAR_FILE,
      __WASI_FILETYPE_REGULAR_FILE, __WASI_FILETYPE_DIRECTORY,
      __WASI_FILETYPE_SYMBOLIC_LINK};
  for (int i = 0; i < 5; i++) {
    const struct entry *e = find(full, n, names[i]);
    CHECK(e != NULL);
    CHECK(e->type == types[i]);
    __wasi_filestat_t st;
    CHECK_ERRNO(__wasi_path_filestat_get(fd, 0, names[i], &st),
                __WASI_ERRNO_SUCCESS);
    CHECK(e->ino == st.ino);
  }
  /* Cookies are distinct. */
  for (size_t i = 0; i < n; i++)
    for (size_t j = i + 1; j < n; j++) CHECK(full[i].next != full[j].next);

  /* Listing again gives the same entries with the same cookies. */
  CHECK(list(fd, 0, 4096, part, 16) == n);
  CHECK(same(part, full, n));

  /* Resuming at any entry's cookie gives exactly the rest. */
  for (size_t k = 0; k < n; k++) {
    size_t m = list(fd, full[k].next, 4096, part, 16);
    CHECK(m == n - 1 - k);
    CHECK(same(part, full + k + 1, m));
  }

  /* Tiny buffers: each call fills the buffer completely (a cut entry is
   * still reported as a full buffer), and re-reading from the last whole
   * cookie gets everything. */
  uint8_t tiny[64];
  __wasi_size_t used = 0;
  CHECK_ERRNO(__wasi_fd_readdir(fd, tiny, 10, 0, &used), __WASI_ERRNO_SUCCESS);
  CHECK(used == 10); /* less than one header */
  CHECK_ERRNO(__wasi_fd_readdir(fd, tiny, HEADER, 0, &used),
              __WASI_ERRNO_SUCCESS);
  CHECK(used == HEADER); /* a header with no room for the name */
  CHECK_ERRNO(__wasi_fd_readdir(fd, tiny, HEADER + 1, 0, &used),
              __WASI_ERRNO_SUCCESS);
  CHECK(used == HEADER + 1); /* exactly "." */
  __wasi_dirent_t d;
  memcpy(&d, tiny, HEADER);
  CHECK(d.d_next == 1 && d.d_namlen == 1 && tiny[HEADER] == '.');
  CHECK_ERRNO(__wasi_fd_readdir(fd, tiny, HEADER + 1 + 5, 0, &used),
              __WASI_ERRNO_SUCCESS);
  CHECK(used == HEADER + 1 + 5); /* "." and a cut header */
  CHECK_ERRNO(__wasi_fd_readdir(fd, tiny, 0, 0, &used), __WASI_ERRNO_SUCCESS);
  CHECK(used == 0);
  /* The smallest buffer that holds the longest entry still works. */
  size_t fit = HEADER + strlen("a-much-longer-name.txt");
  CHECK(list(fd, 0, fit, part, 16) == n);
  CHECK(same(part, full, n));
  CHECK(list(fd, 0, fit + 7, part, 16) == n);
  CHECK(same(part, full, n));

  /* Past the last entry there is nothing. */
  CHECK_ERRNO(__wasi_fd_readdir(fd, tiny, sizeof tiny, full[n - 1].next,
                                &used),
              __WASI_ERRNO_SUCCESS);
  CHECK(used == 0);
  CHECK_ERRNO(__wasi_fd_close(fd), __WASI_ERRNO_SUCCESS);
  CHECK_ERRNO(__wasi_fd_readdir(fd, tiny, sizeof tiny, 0, &used),
              __WASI_ERRNO_BADF);

  /* An empty directory still has "." and "..". */
  CHECK_ERRNO(__wasi_path_create_directory(SANDBOX, "empty"),
              __WASI_ERRNO_SUCCESS);
  fd = open_dir("empty");
  CHECK(list(fd, 0, 4096, part, 16) == 2);
  CHECK(strcmp(part[0].name, ".") == 0 && strcmp(part[1].name, "..") == 0);
  CHECK_ERRNO(__wasi_fd_close(fd), __WASI_ERRNO_SUCCESS);
  OK("fd_readdir raw");
}

static void test_libc(void) {
  DIR *dir = opendir("/sandbox/small");
  CHECK(dir != NULL);
  int dot = 0, dotdot = 0, a = 0, sub = 0, link = 0, total = 0;
  long mark = -1;
  char after_mark[64] = "";
  struct dirent *e;
  while ((e = readdir(dir)) != NULL) {
    total++;
    if (strcmp(e->d_name, ".") == 0) dot++;
    if (strcmp(e->d_name, "..") == 0) dotdot++;
    if (strcmp(e->d_name, "a") == 0) a += e->d_type == DT_REG;
    if (strcmp(e->d_name, "sub") == 0) sub += e->d_type == DT_DIR;
    if (strcmp(e->d_name, "link") == 0) link += e->d_type == DT_LNK;
    if (total == 3) mark = telldir(dir);
    if (total == 4) snprintf(after_mark, sizeof after_mark, "%s", e->d_name);
  }
  CHECK(total == 7 && dot == 1 && dotdot == 1 && a == 1 && sub == 1 &&
        link == 1);
  /* seekdir to a saved position resumes there. */
  CHECK(mark >= 0);
  seekdir(dir, mark);
  e = readdir(dir);
  CHECK(e != NULL && strcmp(e->d_name, after_mark) == 0);
  rewinddir(dir);
  int again = 0;
  while (readdir(dir) != NULL) again++;
  CHECK(again == total);
  CHECK(closedir(dir) == 0);

  CHECK(opendir("/sandbox/small/a") == NULL && errno == ENOTDIR);
  CHECK(opendir("/sandbox/missing") == NULL && errno == ENOENT);
  OK("opendir/readdir");
}

/* A listing from cookie 0 is a rewind: it sees what changed since the last
 * one, even where the directory was empty then and where "." and ".."
 * fill the whole buffer. A cookie handed out before a change still resumes
 * between the same entries: nothing the change left alone is repeated or
 * lost. */
static void test_changes(void) {
  static struct entry e[64], tail[64];
  CHECK_ERRNO(__wasi_path_create_directory(SANDBOX, "grow"),
              __WASI_ERRNO_SUCCESS);
  __wasi_fd_t fd = open_dir("grow");
  CHECK(list(fd, 0, 4096, e, 64) == 2);
  put("grow/first");
  size_t n = list(fd, 0, 4096, e, 64);
  CHECK(n == 3 && find(e, n, "first") != NULL);
  put("grow/second");
  /* Exactly "." and ".." fit, so the rewind happens in a call that never
   * reaches the host listing. */
  n = list(fd, 0, 2 * HEADER + 3, e, 64);
  CHECK(n == 4 && find(e, n, "second") != NULL);
  CHECK_ERRNO(__wasi_fd_close(fd), __WASI_ERRNO_SUCCESS);

  DIR *dir = opendir("/sandbox/grow");
  CHECK(dir != NULL);
  int before = 0, after = 0;
  while (readdir(dir) != NULL) before++;
  put("grow/third");
  rewinddir(dir);
  while (readdir(dir) != NULL) after++;
  CHECK(before == 4 && after == 5);
  CHECK(closedir(dir) == 0);

  CHECK_ERRNO(__wasi_path_create_directory(SANDBOX, "churn"),
              __WASI_ERRNO_SUCCESS);
  char name[32];
  for (int i = 0; i < 40; i++) {
    snprintf(name, sizeof name, "churn/c%02d", i);
    put(name);
  }
  fd = open_dir("churn");
  n = list(fd, 0, 4096, e, 64);
  CHECK(n == 42);
  /* Change the directory: one entry already listed goes, one is added. */
  snprintf(name, sizeof name, "churn/%s", e[5].name);
  CHECK_ERRNO(__wasi_path_unlink_file(SANDBOX, name), __WASI_ERRNO_SUCCESS);
  put("churn/new");
  size_t m = list(fd, e[20].next, 4096, tail, 64);
  for (size_t i = 21; i < n; i++) CHECK(find(tail, m, e[i].name) != NULL);
  for (size_t i = 0; i <= 20; i++) CHECK(find(tail, m, e[i].name) == NULL);
  CHECK(m == n - 21 || (m == n - 20 && find(tail, m, "new") != NULL));
  CHECK_ERRNO(__wasi_fd_close(fd), __WASI_ERRNO_SUCCESS);
  OK("listings after changes");
}

static struct entry big[BIG + 2];

static void test_big(void) {
  static unsigned char seen[BIG];
  /* Raw, 4 KiB at a time, resuming by cookie. */
  __wasi_fd_t fd = open_dir("big");
  size_t n = list(fd, 0, 4096, big, BIG + 2);
  CHECK(n == BIG + 2);
  memset(seen, 0, sizeof seen);
  int dots = 0;
  for (size_t i = 0; i < n; i++) {
    if (strcmp(big[i].name, ".") == 0 || strcmp(big[i].name, "..") == 0) {
      dots++;
      continue;
    }
    int k = -1;
    CHECK(sscanf(big[i].name, "e%d", &k) == 1 && k >= 0 && k < BIG);
    CHECK(seen[k] == 0);
    seen[k] = 1;
    CHECK(big[i].type == __WASI_FILETYPE_REGULAR_FILE);
  }
  CHECK(dots == 2);
  for (int k = 0; k < BIG; k++) CHECK(seen[k] == 1);
  /* Resuming from the middle gives the same tail. */
  static struct entry tail[BIG];
  size_t m = list(fd, big[2500].next, 4096, tail, BIG);
  CHECK(m == n - 2501);
  CHECK(same(tail, big + 2501, m));
  CHECK_ERRNO(__wasi_fd_close(fd), __WASI_ERRNO_SUCCESS);

  /* Through wasi-libc. */
  memset(seen, 0, sizeof seen);
  DIR *dir = opendir("/sandbox/big");
  CHECK(dir != NULL);
  struct dirent *e;
  int total = 0;
  while ((e = readdir(dir)) != NULL) {
    total++;
    int k = -1;
    if (e->d_name[0] == '.') continue;
    CHECK(sscanf(e->d_name, "e%d", &k) == 1 && k >= 0 && k < BIG);
    CHECK(seen[k] == 0);
    seen[k] = 1;
  }
  CHECK(total == BIG + 2);
  for (int k = 0; k < BIG; k++) CHECK(seen[k] == 1);
  CHECK(closedir(dir) == 0);
  OK("5000 entries");
}

int main(void) {
  test_raw();
  test_libc();
  test_changes();
  test_big();
  OK("fs_readdir");
  return 0;
}
