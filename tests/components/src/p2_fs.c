// wasi:filesystem through its preopens. Needs the preopen "/sandbox"
// (read-write, empty) and checks it is empty again at the end. If a second
// preopen "/ro" (read-only) is given, it must hold file.txt containing
// "read-only\n", and every way of changing it must fail.
//
// Where the WIT leaves a host a choice of error code, the guest accepts any
// of a few and prints "got WHAT CODE" for the one the host gave.
#include "p2check.h"

typedef wasi_filesystem_types_own_descriptor_t fd_own_t;
typedef wasi_filesystem_types_borrow_descriptor_t fd_t;
typedef wasi_filesystem_types_descriptor_stat_t stat_t;
typedef wasi_filesystem_types_metadata_hash_value_t hash_t;

#define F_READ WASI_FILESYSTEM_TYPES_DESCRIPTOR_FLAGS_READ
#define F_WRITE WASI_FILESYSTEM_TYPES_DESCRIPTOR_FLAGS_WRITE
#define F_MUTATE WASI_FILESYSTEM_TYPES_DESCRIPTOR_FLAGS_MUTATE_DIRECTORY
#define O_CREATE WASI_FILESYSTEM_TYPES_OPEN_FLAGS_CREATE
#define O_DIR WASI_FILESYSTEM_TYPES_OPEN_FLAGS_DIRECTORY
#define O_EXCL WASI_FILESYSTEM_TYPES_OPEN_FLAGS_EXCLUSIVE
#define O_TRUNC WASI_FILESYSTEM_TYPES_OPEN_FLAGS_TRUNCATE
#define FOLLOW WASI_FILESYSTEM_TYPES_PATH_FLAGS_SYMLINK_FOLLOW
#define T_DIR WASI_FILESYSTEM_TYPES_DESCRIPTOR_TYPE_DIRECTORY
#define T_FILE WASI_FILESYSTEM_TYPES_DESCRIPTOR_TYPE_REGULAR_FILE
#define T_LINK WASI_FILESYSTEM_TYPES_DESCRIPTOR_TYPE_SYMBOLIC_LINK
#define E(name) WASI_FILESYSTEM_TYPES_ERROR_CODE_##name

#define B(own) wasi_filesystem_types_borrow_descriptor(own)

static fd_own_t open_at(fd_t dir, uint32_t pflags, const char *path, uint32_t oflags,
                        uint32_t flags) {
  fd_own_t f;
  FS_OK(wasi_filesystem_types_method_descriptor_open_at(dir, pflags, STR(path), oflags, flags,
                                                        &f, &ec));
  return f;
}

// open-at that must fail; returns the error code.
static fs_code_t open_err(fd_t dir, uint32_t pflags, const char *path, uint32_t oflags,
                          uint32_t flags) {
  fd_own_t f;
  if (wasi_filesystem_types_method_descriptor_open_at(dir, pflags, STR(path), oflags, flags, &f,
                                                      &ec)) {
    p2_fail(__FILE__, __LINE__, path, "open-at succeeded");
  }
  return ec;
}

static void drop(fd_own_t f) { wasi_filesystem_types_descriptor_drop_own(f); }

static stat_t stat_of(fd_t f) {
  stat_t st;
  FS_OK(wasi_filesystem_types_method_descriptor_stat(f, &st, &ec));
  return st;
}

static stat_t stat_at(fd_t dir, uint32_t pflags, const char *path) {
  stat_t st;
  FS_OK(wasi_filesystem_types_method_descriptor_stat_at(dir, pflags, STR(path), &st, &ec));
  return st;
}

static void write_at(fd_t f, const char *s, uint64_t off) {
  size_t len = strlen(s), done = 0;
  while (done < len) {
    command_list_u8_t buf = {(uint8_t *)s + done, len - done};
    uint64_t n;
    FS_OK(wasi_filesystem_types_method_descriptor_write(f, &buf, off + done, &n, &ec));
    CHECK(n > 0);
    done += n;
  }
}

// Reads up to len bytes at off; the result must equal want (len bytes).
static void expect_read(fd_t f, uint64_t off, const void *want, size_t len) {
  command_tuple2_list_u8_bool_t r;
  FS_OK(wasi_filesystem_types_method_descriptor_read(f, len + 16, off, &r, &ec));
  CHECK(bytes_eq(&r.f0, want, len));
  if (len == 0) CHECK(r.f1);  // a read at or past the end reports end of file
  command_list_u8_free(&r.f0);
}

static uint32_t flags_of(fd_t f) {
  wasi_filesystem_types_descriptor_flags_t fl;
  FS_OK(wasi_filesystem_types_method_descriptor_get_flags(f, &fl, &ec));
  return fl;
}

static uint8_t type_of(fd_t f) {
  wasi_filesystem_types_descriptor_type_t t;
  FS_OK(wasi_filesystem_types_method_descriptor_get_type(f, &t, &ec));
  return t;
}

static hash_t hash_of(fd_t f) {
  hash_t h;
  FS_OK(wasi_filesystem_types_method_descriptor_metadata_hash(f, &h, &ec));
  return h;
}

static hash_t hash_at(fd_t dir, const char *path) {
  hash_t h;
  FS_OK(wasi_filesystem_types_method_descriptor_metadata_hash_at(dir, FOLLOW, STR(path), &h, &ec));
  return h;
}

static bool hash_eq(hash_t a, hash_t b) { return a.lower == b.lower && a.upper == b.upper; }

static bool same(fd_t a, fd_t b) {
  return wasi_filesystem_types_method_descriptor_is_same_object(a, b);
}

static bool one_of(fs_code_t c, fs_code_t a, fs_code_t b, fs_code_t d) {
  return c == a || c == b || c == d;
}

// Finds the preopen named `name`; drops the others. Optional ones give -1.
static fd_own_t preopen(const char *name, bool required) {
  wasi_filesystem_preopens_list_tuple2_own_descriptor_string_t dirs;
  wasi_filesystem_preopens_get_directories(&dirs);
  fd_own_t found = {-1};
  for (size_t i = 0; i < dirs.len; i++) {
    if (found.__handle < 0 && str_eq(&dirs.ptr[i].f1, name))
      found = dirs.ptr[i].f0;
    else
      drop(dirs.ptr[i].f0);
    command_string_free(&dirs.ptr[i].f1);
  }
  free(dirs.ptr);
  if (found.__handle < 0 && required) p2_fail(__FILE__, __LINE__, "missing preopen", name);
  return found;
}

// Reads the directory into "name:type " pairs in order given, and checks
// there is no "." or "..". Returns the number of entries; names sorted.
#define MAX_ENTRIES 8
typedef struct {
  char name[32];
  uint8_t type;
} entry_t;

static size_t list_dir(fd_t dir, entry_t *out) {
  wasi_filesystem_types_own_directory_entry_stream_t s;
  FS_OK(wasi_filesystem_types_method_descriptor_read_directory(dir, &s, &ec));
  size_t n = 0;
  for (;;) {
    wasi_filesystem_types_option_directory_entry_t e;
    FS_OK(wasi_filesystem_types_method_directory_entry_stream_read_directory_entry(
        wasi_filesystem_types_borrow_directory_entry_stream(s), &e, &ec));
    if (!e.is_some) break;
    CHECK(n < MAX_ENTRIES);
    CHECK(e.val.name.len > 0 && e.val.name.len < sizeof out[n].name);
    CHECK(!str_eq(&e.val.name, ".") && !str_eq(&e.val.name, ".."));
    memcpy(out[n].name, e.val.name.ptr, e.val.name.len);
    out[n].name[e.val.name.len] = 0;
    out[n].type = e.val.type;
    command_string_free(&e.val.name);
    n++;
  }
  // End of stream stays the end.
  wasi_filesystem_types_option_directory_entry_t e;
  FS_OK(wasi_filesystem_types_method_directory_entry_stream_read_directory_entry(
      wasi_filesystem_types_borrow_directory_entry_stream(s), &e, &ec));
  CHECK(!e.is_some);
  wasi_filesystem_types_directory_entry_stream_drop_own(s);
  for (size_t i = 1; i < n; i++)
    for (size_t j = i; j > 0 && strcmp(out[j - 1].name, out[j].name) > 0; j--) {
      entry_t t = out[j];
      out[j] = out[j - 1];
      out[j - 1] = t;
    }
  return n;
}

static void test_preopen(fd_t dir) {
  CHECK(type_of(dir) == T_DIR);
  CHECK(stat_of(dir).type == T_DIR);
  uint32_t fl = flags_of(dir);
  CHECK((fl & F_READ) && (fl & F_MUTATE));
  entry_t es[MAX_ENTRIES];
  CHECK(list_dir(dir, es) == 0);  // the sandbox starts empty
  OK("preopen");
}

static void test_open_read_write(fd_t dir) {
  fd_own_t f = open_at(dir, 0, "a.txt", O_CREATE | O_EXCL, F_READ | F_WRITE);
  CHECK(type_of(B(f)) == T_FILE);
  CHECK(flags_of(B(f)) == (F_READ | F_WRITE));
  CHECK(open_err(dir, 0, "a.txt", O_CREATE | O_EXCL, F_READ | F_WRITE) == E(EXIST));
  CHECK(open_err(dir, 0, "missing.txt", 0, F_READ) == E(NO_ENTRY));
  OK("open-at-create-exclusive");

  write_at(B(f), "hello world", 0);
  write_at(B(f), "HELLO", 0);
  expect_read(B(f), 0, "HELLO world", 11);
  expect_read(B(f), 6, "world", 5);
  expect_read(B(f), 100, "", 0);
  write_at(B(f), "end", 20);  // leaves a hole of zeroes
  expect_read(B(f), 9, "ld\0\0\0\0\0\0\0\0\0end", 14);
  stat_t st = stat_of(B(f));
  CHECK(st.type == T_FILE && st.size == 23 && st.link_count == 1);
  OK("write-read-at-offsets");

  FS_OK(wasi_filesystem_types_method_descriptor_set_size(B(f), 5, &ec));
  CHECK(stat_of(B(f)).size == 5);
  FS_OK(wasi_filesystem_types_method_descriptor_set_size(B(f), 8, &ec));
  expect_read(B(f), 0, "HELLO\0\0\0", 8);
  OK("set-size");

  wasi_filesystem_types_new_timestamp_t atime = {WASI_FILESYSTEM_TYPES_NEW_TIMESTAMP_TIMESTAMP,
                                                 {.timestamp = {1000000000, 5000}}};
  wasi_filesystem_types_new_timestamp_t mtime = {WASI_FILESYSTEM_TYPES_NEW_TIMESTAMP_TIMESTAMP,
                                                 {.timestamp = {1500000000, 0}}};
  wasi_filesystem_types_new_timestamp_t keep = {WASI_FILESYSTEM_TYPES_NEW_TIMESTAMP_NO_CHANGE};
  wasi_filesystem_types_new_timestamp_t now = {WASI_FILESYSTEM_TYPES_NEW_TIMESTAMP_NOW};
  FS_OK(wasi_filesystem_types_method_descriptor_set_times(B(f), &atime, &mtime, &ec));
  st = stat_of(B(f));
  CHECK(st.data_access_timestamp.is_some && st.data_access_timestamp.val.seconds == 1000000000);
  CHECK(st.data_modification_timestamp.is_some &&
        st.data_modification_timestamp.val.seconds == 1500000000 &&
        st.data_modification_timestamp.val.nanoseconds == 0);
  // no-change keeps mtime; now moves atime forward.
  FS_OK(wasi_filesystem_types_method_descriptor_set_times(B(f), &now, &keep, &ec));
  st = stat_of(B(f));
  CHECK(st.data_access_timestamp.val.seconds > 1600000000);
  CHECK(st.data_modification_timestamp.val.seconds == 1500000000);
  mtime.val.timestamp.seconds = 1200000000;
  FS_OK(wasi_filesystem_types_method_descriptor_set_times_at(dir, FOLLOW, STR("a.txt"), &keep,
                                                             &mtime, &ec));
  st = stat_at(dir, FOLLOW, "a.txt");
  CHECK(st.data_modification_timestamp.val.seconds == 1200000000);
  OK("set-times");

  FS_OK(wasi_filesystem_types_method_descriptor_sync(B(f), &ec));
  FS_OK(wasi_filesystem_types_method_descriptor_sync_data(B(f), &ec));
  FS_OK(wasi_filesystem_types_method_descriptor_advise(
      B(f), 0, 8, WASI_FILESYSTEM_TYPES_ADVICE_SEQUENTIAL, &ec));
  FS_OK(wasi_filesystem_types_method_descriptor_advise(
      B(f), 0, 0, WASI_FILESYSTEM_TYPES_ADVICE_DONT_NEED, &ec));
  OK("sync-advise");

  st = stat_at(dir, FOLLOW, "a.txt");
  CHECK(st.type == T_FILE && st.size == 8 && st.link_count == 1);
  stat_t missing;
  FS_ERR(wasi_filesystem_types_method_descriptor_stat_at(dir, FOLLOW, STR("nope"), &missing, &ec),
         E(NO_ENTRY));
  OK("stat-at");

  // Opened for reading only: flags say so, and writing fails.
  fd_own_t r = open_at(dir, 0, "a.txt", 0, F_READ);
  CHECK(flags_of(B(r)) == F_READ);
  uint64_t n;
  command_list_u8_t x = {(uint8_t *)"x", 1};
  FS_ERR(wasi_filesystem_types_method_descriptor_write(B(r), &x, 0, &n, &ec), E(BAD_DESCRIPTOR));
  drop(r);
  fd_own_t w = open_at(dir, 0, "a.txt", 0, F_WRITE);
  CHECK(flags_of(B(w)) == F_WRITE);
  command_tuple2_list_u8_bool_t rd;
  FS_ERR(wasi_filesystem_types_method_descriptor_read(B(w), 1, 0, &rd, &ec), E(BAD_DESCRIPTOR));
  drop(w);
  OK("get-flags");

  // truncate empties the file.
  fd_own_t t = open_at(dir, 0, "a.txt", O_TRUNC, F_WRITE);
  CHECK(stat_of(B(t)).size == 0);
  drop(t);
  CHECK(stat_of(B(f)).size == 0);
  OK("open-at-truncate");
  drop(f);
}

static void test_streams(fd_t dir) {
  fd_own_t f = open_at(dir, 0, "s.txt", O_CREATE | O_EXCL, F_READ | F_WRITE);
  wasi_io_streams_own_output_stream_t os;
  FS_OK(wasi_filesystem_types_method_descriptor_write_via_stream(B(f), 2, &os, &ec));
  command_list_u8_t msg = {(uint8_t *)"stream", 6};
  ST_OK(wasi_io_streams_method_output_stream_blocking_write_and_flush(
      wasi_io_streams_borrow_output_stream(os), &msg, &serr));
  wasi_io_streams_output_stream_drop_own(os);
  expect_read(B(f), 0, "\0\0stream", 8);
  OK("write-via-stream");

  FS_OK(wasi_filesystem_types_method_descriptor_append_via_stream(B(f), &os, &ec));
  command_list_u8_t tail = {(uint8_t *)"+tail", 5};
  ST_OK(wasi_io_streams_method_output_stream_blocking_write_and_flush(
      wasi_io_streams_borrow_output_stream(os), &tail, &serr));
  wasi_io_streams_output_stream_drop_own(os);
  expect_read(B(f), 0, "\0\0stream+tail", 13);
  OK("append-via-stream");

  wasi_io_streams_own_input_stream_t is;
  FS_OK(wasi_filesystem_types_method_descriptor_read_via_stream(B(f), 2, &is, &ec));
  wasi_io_streams_borrow_input_stream_t in = wasi_io_streams_borrow_input_stream(is);
  char got[16];
  size_t len = 0;
  for (;;) {
    command_list_u8_t b;
    if (!wasi_io_streams_method_input_stream_blocking_read(in, 4, &b, &serr)) {
      CHECK(serr.tag == WASI_IO_STREAMS_STREAM_ERROR_CLOSED);
      break;
    }
    CHECK(b.len <= 4 && len + b.len <= sizeof got);
    memcpy(got + len, b.ptr, b.len);
    len += b.len;
    command_list_u8_free(&b);
  }
  CHECK(len == 11 && memcmp(got, "stream+tail", 11) == 0);
  command_list_u8_t b;
  ST_CLOSED(wasi_io_streams_method_input_stream_read(in, 4, &b, &serr));
  wasi_io_streams_input_stream_drop_own(is);
  // A stream starting past the end is closed from the start.
  FS_OK(wasi_filesystem_types_method_descriptor_read_via_stream(B(f), 100, &is, &ec));
  ST_CLOSED(wasi_io_streams_method_input_stream_blocking_read(
      wasi_io_streams_borrow_input_stream(is), 4, &b, &serr));
  wasi_io_streams_input_stream_drop_own(is);
  OK("read-via-stream");
  drop(f);

  // A read stream over a write-only descriptor: the error, if the stream
  // can be made, comes through filesystem-error-code.
  fd_own_t w = open_at(dir, 0, "s.txt", 0, F_WRITE);
  if (wasi_filesystem_types_method_descriptor_read_via_stream(B(w), 0, &is, &ec)) {
    CHECK(!wasi_io_streams_method_input_stream_blocking_read(
        wasi_io_streams_borrow_input_stream(is), 4, &b, &serr));
    CHECK(serr.tag == WASI_IO_STREAMS_STREAM_ERROR_LAST_OPERATION_FAILED);
    fs_code_t code;
    wasi_io_error_borrow_error_t e = wasi_io_error_borrow_error(serr.val.last_operation_failed);
    CHECK(wasi_filesystem_types_filesystem_error_code(e, &code));
    got_code("stream-read-write-only", code);
    wasi_io_error_error_drop_own(serr.val.last_operation_failed);
    wasi_io_streams_input_stream_drop_own(is);
  } else {
    got_code("read-via-stream-write-only", ec);
  }
  drop(w);
  OK("filesystem-error-code");
  FS_OK(wasi_filesystem_types_method_descriptor_unlink_file_at(dir, STR("s.txt"), &ec));
}

static void test_directories(fd_t dir) {
  FS_OK(wasi_filesystem_types_method_descriptor_create_directory_at(dir, STR("sub"), &ec));
  FS_ERR(wasi_filesystem_types_method_descriptor_create_directory_at(dir, STR("sub"), &ec),
         E(EXIST));
  fd_own_t sub = open_at(dir, 0, "sub", O_DIR, F_READ | F_MUTATE);
  CHECK(type_of(B(sub)) == T_DIR);
  CHECK(stat_at(dir, 0, "sub").type == T_DIR);
  CHECK(open_err(dir, 0, "a.txt", O_DIR, F_READ) == E(NOT_DIRECTORY));
  CHECK(open_err(dir, 0, "sub", 0, F_READ | F_WRITE) == E(IS_DIRECTORY));
  CHECK(open_err(dir, 0, "a.txt/x", 0, F_READ) == E(NOT_DIRECTORY));
  OK("create-directory-at");

  // A file inside, through the sub-directory's descriptor.
  fd_own_t inner = open_at(B(sub), 0, "inner.txt", O_CREATE, F_WRITE);
  drop(inner);
  entry_t es[MAX_ENTRIES];
  CHECK(list_dir(dir, es) == 2);
  CHECK(strcmp(es[0].name, "a.txt") == 0 && es[0].type == T_FILE);
  CHECK(strcmp(es[1].name, "sub") == 0 && es[1].type == T_DIR);
  CHECK(list_dir(B(sub), es) == 1 && strcmp(es[0].name, "inner.txt") == 0);
  OK("read-directory");

  FS_ERR(wasi_filesystem_types_method_descriptor_remove_directory_at(dir, STR("sub"), &ec),
         E(NOT_EMPTY));
  FS_ERR(wasi_filesystem_types_method_descriptor_remove_directory_at(dir, STR("a.txt"), &ec),
         E(NOT_DIRECTORY));
  if (wasi_filesystem_types_method_descriptor_unlink_file_at(dir, STR("sub"), &ec))
    p2_fail(__FILE__, __LINE__, "unlink-file-at of a directory succeeded", NULL);
  CHECK(one_of(ec, E(IS_DIRECTORY), E(NOT_PERMITTED), E(ACCESS)));
  got_code("unlink-file-at-directory", ec);
  FS_OK(wasi_filesystem_types_method_descriptor_unlink_file_at(B(sub), STR("inner.txt"), &ec));
  drop(sub);
  FS_OK(wasi_filesystem_types_method_descriptor_remove_directory_at(dir, STR("sub"), &ec));
  FS_ERR(wasi_filesystem_types_method_descriptor_remove_directory_at(dir, STR("sub"), &ec),
         E(NO_ENTRY));
  OK("remove-directory-at");
}

static void test_links(fd_t dir) {
  FS_OK(wasi_filesystem_types_method_descriptor_link_at(dir, 0, STR("a.txt"), dir, STR("b.txt"),
                                                        &ec));
  CHECK(stat_at(dir, 0, "a.txt").link_count == 2);
  FS_ERR(wasi_filesystem_types_method_descriptor_link_at(dir, 0, STR("a.txt"), dir, STR("b.txt"),
                                                         &ec),
         E(EXIST));
  fd_own_t a = open_at(dir, 0, "a.txt", 0, F_READ);
  fd_own_t b = open_at(dir, 0, "b.txt", 0, F_READ);
  fd_own_t a2 = open_at(dir, 0, "a.txt", 0, F_READ);
  CHECK(same(B(a), B(b)) && same(B(a), B(a2)) && same(B(a), B(a)));
  CHECK(!same(B(a), dir));
  CHECK(hash_eq(hash_of(B(a)), hash_of(B(b))));
  CHECK(hash_eq(hash_of(B(a)), hash_at(dir, "b.txt")));
  CHECK(!hash_eq(hash_of(B(a)), hash_of(dir)));
  OK("link-at");

  fd_own_t c = open_at(dir, 0, "c.txt", O_CREATE | O_EXCL, F_WRITE);
  CHECK(!same(B(a), B(c)));
  CHECK(!hash_eq(hash_of(B(a)), hash_of(B(c))));
  CHECK(!hash_eq(hash_at(dir, "a.txt"), hash_at(dir, "c.txt")));
  OK("is-same-object");
  OK("metadata-hash");

  FS_OK(wasi_filesystem_types_method_descriptor_symlink_at(dir, STR("a.txt"), STR("ln"), &ec));
  command_string_t target;
  FS_OK(wasi_filesystem_types_method_descriptor_readlink_at(dir, STR("ln"), &target, &ec));
  CHECK(str_eq(&target, "a.txt"));
  command_string_free(&target);
  CHECK(stat_at(dir, 0, "ln").type == T_LINK);
  CHECK(stat_at(dir, FOLLOW, "ln").type == T_FILE);
  fd_own_t via = open_at(dir, FOLLOW, "ln", 0, F_READ);
  CHECK(same(B(via), B(a)));
  drop(via);
  CHECK(hash_eq(hash_at(dir, "ln"), hash_of(B(a))));
  fs_code_t code = open_err(dir, 0, "ln", 0, F_READ);
  CHECK(one_of(code, E(LOOP), E(NOT_PERMITTED), E(INVALID)));
  got_code("open-at-symlink-nofollow", code);
  if (wasi_filesystem_types_method_descriptor_readlink_at(dir, STR("a.txt"), &target, &ec))
    p2_fail(__FILE__, __LINE__, "readlink-at of a file succeeded", NULL);
  got_code("readlink-at-file", ec);
  FS_ERR(wasi_filesystem_types_method_descriptor_symlink_at(dir, STR("/etc"), STR("abs"), &ec),
         E(NOT_PERMITTED));
  FS_ERR(wasi_filesystem_types_method_descriptor_symlink_at(dir, STR("a.txt"), STR("ln"), &ec),
         E(EXIST));
  OK("symlink-at");

  FS_OK(wasi_filesystem_types_method_descriptor_rename_at(dir, STR("b.txt"), dir, STR("d.txt"),
                                                          &ec));
  stat_t st;
  FS_ERR(wasi_filesystem_types_method_descriptor_stat_at(dir, 0, STR("b.txt"), &st, &ec),
         E(NO_ENTRY));
  CHECK(hash_eq(hash_at(dir, "d.txt"), hash_of(B(a))));
  // Renaming over an existing file replaces it.
  FS_OK(wasi_filesystem_types_method_descriptor_rename_at(dir, STR("d.txt"), dir, STR("c.txt"),
                                                          &ec));
  CHECK(hash_eq(hash_at(dir, "c.txt"), hash_of(B(a))));
  FS_ERR(wasi_filesystem_types_method_descriptor_rename_at(dir, STR("nope"), dir, STR("x"), &ec),
         E(NO_ENTRY));
  OK("rename-at");

  FS_OK(wasi_filesystem_types_method_descriptor_unlink_file_at(dir, STR("c.txt"), &ec));
  FS_OK(wasi_filesystem_types_method_descriptor_unlink_file_at(dir, STR("ln"), &ec));
  FS_ERR(wasi_filesystem_types_method_descriptor_unlink_file_at(dir, STR("ln"), &ec),
         E(NO_ENTRY));
  CHECK(stat_of(B(a)).link_count == 1);
  OK("unlink-file-at");
  drop(a);
  drop(b);
  drop(a2);
  drop(c);
}

static void test_escapes(fd_t dir) {
  CHECK(open_err(dir, 0, "../x", 0, F_READ) == E(NOT_PERMITTED));
  CHECK(open_err(dir, 0, "..", O_DIR, F_READ) == E(NOT_PERMITTED));
  CHECK(open_err(dir, 0, "/etc/passwd", 0, F_READ) == E(NOT_PERMITTED));
  CHECK(open_err(dir, 0, "../sandbox/a.txt", O_CREATE, F_WRITE) == E(NOT_PERMITTED));
  stat_t st;
  FS_ERR(wasi_filesystem_types_method_descriptor_stat_at(dir, 0, STR("./../x"), &st, &ec),
         E(NOT_PERMITTED));
  FS_ERR(wasi_filesystem_types_method_descriptor_create_directory_at(dir, STR("../evil"), &ec),
         E(NOT_PERMITTED));
  FS_ERR(wasi_filesystem_types_method_descriptor_create_directory_at(dir, STR("/tmp/evil"), &ec),
         E(NOT_PERMITTED));
  // A symlink pointing out is made, but cannot be followed.
  FS_OK(wasi_filesystem_types_method_descriptor_symlink_at(dir, STR("../.."), STR("out"), &ec));
  CHECK(open_err(dir, FOLLOW, "out", O_DIR, F_READ) == E(NOT_PERMITTED));
  FS_OK(wasi_filesystem_types_method_descriptor_unlink_file_at(dir, STR("out"), &ec));
  OK("sandbox-escapes");
}

static void test_read_only(fd_t ro) {
  uint32_t fl = flags_of(ro);
  CHECK((fl & F_READ) && !(fl & F_MUTATE));
  fd_own_t f = open_at(ro, 0, "file.txt", 0, F_READ);
  expect_read(B(f), 0, "read-only\n", 10);
  CHECK(flags_of(B(f)) == F_READ);
  OK("ro-read");

  fs_code_t code = open_err(ro, 0, "file.txt", 0, F_READ | F_WRITE);
  CHECK(one_of(code, E(NOT_PERMITTED), E(READ_ONLY), E(ACCESS)));
  got_code("ro-open-write", code);
  code = open_err(ro, 0, "new.txt", O_CREATE, F_READ);
  CHECK(one_of(code, E(NOT_PERMITTED), E(READ_ONLY), E(ACCESS)));
  got_code("ro-create", code);
  if (wasi_filesystem_types_method_descriptor_create_directory_at(ro, STR("d"), &ec))
    p2_fail(__FILE__, __LINE__, "create-directory-at in /ro succeeded", NULL);
  CHECK(one_of(ec, E(NOT_PERMITTED), E(READ_ONLY), E(ACCESS)));
  got_code("ro-create-directory-at", ec);
  if (wasi_filesystem_types_method_descriptor_unlink_file_at(ro, STR("file.txt"), &ec))
    p2_fail(__FILE__, __LINE__, "unlink-file-at in /ro succeeded", NULL);
  CHECK(one_of(ec, E(NOT_PERMITTED), E(READ_ONLY), E(ACCESS)));
  got_code("ro-unlink-file-at", ec);
  wasi_filesystem_types_new_timestamp_t now = {WASI_FILESYSTEM_TYPES_NEW_TIMESTAMP_NOW};
  if (wasi_filesystem_types_method_descriptor_set_times_at(ro, 0, STR("file.txt"), &now, &now,
                                                           &ec))
    p2_fail(__FILE__, __LINE__, "set-times-at in /ro succeeded", NULL);
  CHECK(one_of(ec, E(NOT_PERMITTED), E(READ_ONLY), E(ACCESS)));
  got_code("ro-set-times-at", ec);
  if (wasi_filesystem_types_method_descriptor_set_times(B(f), &now, &now, &ec))
    p2_fail(__FILE__, __LINE__, "set-times in /ro succeeded", NULL);
  CHECK(one_of(ec, E(NOT_PERMITTED), E(READ_ONLY), E(BAD_DESCRIPTOR)));
  got_code("ro-set-times", ec);
  if (wasi_filesystem_types_method_descriptor_set_size(B(f), 0, &ec))
    p2_fail(__FILE__, __LINE__, "set-size in /ro succeeded", NULL);
  CHECK(one_of(ec, E(NOT_PERMITTED), E(READ_ONLY), E(BAD_DESCRIPTOR)));
  got_code("ro-set-size", ec);
  wasi_io_streams_own_output_stream_t os;
  if (wasi_filesystem_types_method_descriptor_write_via_stream(B(f), 0, &os, &ec))
    p2_fail(__FILE__, __LINE__, "write-via-stream in /ro succeeded", NULL);
  CHECK(one_of(ec, E(NOT_PERMITTED), E(READ_ONLY), E(BAD_DESCRIPTOR)));
  got_code("ro-write-via-stream", ec);
  expect_read(B(f), 0, "read-only\n", 10);
  drop(f);
  OK("ro-denied");
}

bool exports_wasi_cli_run_run(void) {
  fd_own_t sandbox = preopen("/sandbox", true);
  fd_t dir = B(sandbox);
  test_preopen(dir);
  test_open_read_write(dir);
  test_streams(dir);
  test_directories(dir);
  test_links(dir);
  test_escapes(dir);
  FS_OK(wasi_filesystem_types_method_descriptor_unlink_file_at(dir, STR("a.txt"), &ec));
  entry_t es[MAX_ENTRIES];
  CHECK(list_dir(dir, es) == 0);
  OK("sandbox-empty-again");
  drop(sandbox);

  fd_own_t ro = preopen("/ro", false);
  if (ro.__handle >= 0) {
    test_read_only(B(ro));
    drop(ro);
  } else {
    out_str("skip ro\n");
  }
  OK("p2_fs");
  p2_exit(true);
}
