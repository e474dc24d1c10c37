/* The capwasi demo: an ordinary C program, compiled for wasm32-wasi, that
 * shows what a guest can and cannot do with the one directory it is handed.
 *
 *   capwasi run --dir examples/data::/data --env GREETING=Hello \
 *       examples/guests/demo.wasm world
 *
 * It greets argv[1] with $GREETING, lists its arguments, walks the
 * directory (stat and fread on every file), prints message.txt, writes a
 * note, renames, stats, reads back and deletes it (so a run leaves the
 * directory as it found it), times that work with the monotonic clock, and
 * finally tries to step outside the directory to show that it cannot.
 *
 * The directory is /data unless DEMO_DIR names another guest path.
 * Exit status: 0 when everything behaved as expected (including a write
 * refused because the directory was granted read-only), 1 otherwise. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_ENTRIES 256
#define MAX_DEPTH 4

static int problems;

/* Reports an unexpected failure; the run still goes on so the reader sees
 * everything that works, but the exit status records it. */
static void problem(const char *what, const char *path) {
  printf("  PROBLEM: %s %s: %s\n", what, path, strerror(errno));
  problems++;
}

static double seconds_between(const struct timespec *a,
                              const struct timespec *b) {
  return (double)(b->tv_sec - a->tv_sec) +
         (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

/* Spaces that align a column after `label` at `width`. */
static int pad(const char *label, int width) {
  int len = (int)strlen(label);
  return len < width ? width - len : 0;
}

static int compare_names(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Counts the lines of a file with fread, so the walk shows real reads and
 * not only metadata. Returns -1 when the file cannot be read. */
static long count_lines(const char *path) {
  FILE *f = fopen(path, "r");
  if (!f) return -1;
  char buf[512];
  long lines = 0;
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0)
    for (size_t i = 0; i < n; i++)
      if (buf[i] == '\n') lines++;
  int bad = ferror(f);
  fclose(f);
  return bad ? -1 : lines;
}

/* Lists `dir` in name order (readdir's order is the host's, which varies),
 * stats every entry and descends into subdirectories. */
static void walk(const char *dir, const char *shown, int depth) {
  DIR *d = opendir(dir);
  if (!d) {
    problem("cannot open directory", dir);
    return;
  }
  char *names[MAX_ENTRIES];
  int count = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    if (count == MAX_ENTRIES) break;
    names[count] = strdup(e->d_name);
    if (names[count]) count++;
  }
  closedir(d);
  qsort(names, (size_t)count, sizeof names[0], compare_names);

  for (int i = 0; i < count; i++) {
    char path[1024], label[1024];
    snprintf(path, sizeof path, "%s/%s", dir, names[i]);
    snprintf(label, sizeof label, "%s%s", shown, names[i]);
    struct stat st;
    if (stat(path, &st) != 0) {
      problem("cannot stat", path);
    } else if (S_ISDIR(st.st_mode)) {
      char prefix[1024];
      snprintf(prefix, sizeof prefix, "%s/", label);
      printf("  %s%*s directory\n", prefix, pad(prefix, 28), "");
      if (depth < MAX_DEPTH) walk(path, prefix, depth + 1);
    } else if (S_ISREG(st.st_mode)) {
      long lines = count_lines(path);
      if (lines < 0) problem("cannot read", path);
      else
        printf("  %-28s %6lld bytes, %ld line%s\n", label,
               (long long)st.st_size, lines, lines == 1 ? "" : "s");
    } else {
      printf("  %-28s (neither file nor directory)\n", label);
    }
    free(names[i]);
  }
}

/* Prints a text file line by line, indented. */
static void show_file(const char *path) {
  FILE *f = fopen(path, "r");
  if (!f) {
    printf("  (%s: %s)\n", path, strerror(errno));
    return;
  }
  char line[512];
  while (fgets(line, sizeof line, f)) printf("  | %s", line);
  fclose(f);
}

/* Writes a note, renames it, stats it, reads it back and deletes it. A
 * read-only grant makes the first step fail, which is the sandbox working,
 * not a problem. capwasi reports that as ENOTCAPABLE (a right the directory
 * lacks); other hosts say EPERM, EACCES or EROFS, so all four count. */
static void write_rename_delete(const char *dir) {
  char tmp[1024], final[1024];
  snprintf(tmp, sizeof tmp, "%s/demo-note.tmp", dir);
  snprintf(final, sizeof final, "%s/demo-note.txt", dir);
  const char note[] = "written by the capwasi demo, removed again at once\n";

  FILE *f = fopen(tmp, "w");
  if (!f) {
    if (errno == ENOTCAPABLE || errno == EPERM || errno == EACCES ||
        errno == EROFS) {
      printf("  create %s: refused: %s\n", tmp, strerror(errno));
      printf("  the directory was granted read-only, so nothing is written\n");
    } else {
      problem("cannot create", tmp);
    }
    return;
  }
  size_t wrote = fwrite(note, 1, sizeof note - 1, f);
  if (fclose(f) != 0 || wrote != sizeof note - 1) {
    problem("cannot write", tmp);
    unlink(tmp);
    return;
  }
  printf("  wrote %zu bytes to %s\n", wrote, tmp);

  if (rename(tmp, final) != 0) {
    problem("cannot rename", tmp);
    unlink(tmp);
    return;
  }
  printf("  renamed it to %s\n", final);

  struct stat st;
  if (stat(final, &st) != 0) problem("cannot stat", final);
  else printf("  stat says %lld bytes\n", (long long)st.st_size);

  char back[sizeof note];
  size_t got = 0;
  int opened = 0;
  f = fopen(final, "r");
  if (f) {
    opened = 1;
    got = fread(back, 1, sizeof back, f);
    fclose(f);
  }
  if (opened && got == sizeof note - 1 && !memcmp(back, note, got))
    printf("  read it back: same %zu bytes\n", got);
  else
    problem("read back a different note from", final);

  if (unlink(final) != 0) problem("cannot delete", final);
  else printf("  deleted %s\n", final);
}

/* Tries paths outside the grant; every attempt must fail. */
static void try_escape(const char *path) {
  FILE *f = fopen(path, "r");
  if (f) {
    fclose(f);
    printf("  %-28s OPENED: the sandbox let it through\n", path);
    problems++;
  } else {
    printf("  %-28s refused: %s\n", path, strerror(errno));
  }
}

int main(int argc, char **argv) {
  const char *greeting = getenv("GREETING");
  const char *dir = getenv("DEMO_DIR");
  if (!dir || !*dir) dir = "/data";

  printf("%s, %s!\n", greeting ? greeting : "Hello",
         argc > 1 ? argv[1] : "whoever you are");
  printf("\narguments (%d):\n", argc);
  for (int i = 0; i < argc; i++) printf("  argv[%d] = %s\n", i, argv[i]);
  printf("environment: GREETING is %s%s%s\n", greeting ? "\"" : "",
         greeting ? greeting : "not set (the guest sees only what it is given)",
         greeting ? "\"" : "");

  struct timespec now, start, end;
  if (clock_gettime(CLOCK_REALTIME, &now) == 0) {
    char when[64];
    time_t secs = now.tv_sec;
    strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", gmtime(&secs));
    printf("wall clock: %s\n", when);
  } else {
    problem("cannot read", "the wall clock");
  }
  if (clock_gettime(CLOCK_MONOTONIC, &start) != 0)
    problem("cannot read", "the monotonic clock");

  struct stat granted;
  if (stat(dir, &granted) != 0 || !S_ISDIR(granted.st_mode)) {
    printf("\nno directory was handed over as %s (%s)\n", dir,
           strerror(errno));
    printf("give me one: capwasi run --dir HOST_DIR::%s ...\n", dir);
    return 1;
  }

  printf("\ncontents of %s:\n", dir);
  walk(dir, "", 0);

  char message[1024];
  snprintf(message, sizeof message, "%s/message.txt", dir);
  printf("\n%s says:\n", message);
  show_file(message);

  printf("\nwrite, rename, stat, read back, delete:\n");
  write_rename_delete(dir);

  if (clock_gettime(CLOCK_MONOTONIC, &end) == 0)
    printf("file work took %.3f ms (monotonic clock)\n",
           seconds_between(&start, &end) * 1e3);

  printf("\noutside %s:\n", dir);
  /* In the repository layout this names the top-level Cargo.toml, a real
   * host file two levels above the grant. */
  char above[1024];
  snprintf(above, sizeof above, "%s/../../Cargo.toml", dir);
  try_escape("/etc/passwd");
  try_escape(above);

  if (problems) printf("\n%d problem%s\n", problems, problems == 1 ? "" : "s");
  else printf("\nall done, %s is as it was\n", dir);
  return problems ? 1 : 0;
}
