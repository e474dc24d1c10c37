// The preview2-native counterpart of ../bench.c: the same arguments and the
// same output, but a wasi 0.2 command component that calls wasi 0.2 directly
// through bindings generated from wit/ (command.h), with no preview1 and so
// no adapter. On a preview2 host it measures the host's preview2 alone.
//
//   bench_p2 OP ITERATIONS REPETITIONS DIR
//
// prints one line per repetition, "OP NS_PER_ITERATION", each timed from
// inside with wasi:clocks/monotonic-clock.now. DIR is the name of the
// preopen (from wasi:filesystem/preopens.get-directories) holding the
// fixture bench.c uses. Each op has a bench.c op closest to it, given after
// the arrow, which the harness runs natively beside it:
//
//   p2_write16         check-write + 16-byte write on a file's
//                      write-via-stream                           -> write16
//   p2_read_stream64k  64 KiB blocking-reads of big.dat's
//                      read-via-stream, a new stream at the end   -> read64k
//   p2_open_at         open-at + drop of d1/d2/d3/d4/file         -> open_close
//   p2_stat_at         stat-at of the same path                   -> stat
//   p2_readdir         read-directory + read-directory-entry to
//                      the end of many/ (10,000 entries)          -> readdir
//
// Any failure prints "bench_p2: ..." on stderr and exits with status err.
// Built into bench_p2.wasm by
// `tests/components/build.sh --root benches/guest/p2 --src . --out .`.
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "command.h"

#define FIXTURE_NESTED "d1/d2/d3/d4/file"
#define FIXTURE_BIG "big.dat"
#define FIXTURE_MANY "many"
#define FIXTURE_MANY_ENTRIES 10000
#define READ_CHUNK (64u << 10)

typedef wasi_filesystem_types_own_descriptor_t own_descriptor_t;
typedef wasi_filesystem_types_borrow_descriptor_t descriptor_t;
typedef wasi_filesystem_types_error_code_t error_code_t;
typedef wasi_io_streams_own_output_stream_t own_output_t;
typedef wasi_io_streams_borrow_output_stream_t output_t;
typedef wasi_io_streams_own_input_stream_t own_input_t;
typedef wasi_io_streams_stream_error_t stream_error_t;

// The preopen named DIR.
static descriptor_t base;

// Keeps results observable so the compiler cannot drop the calls.
static volatile uint64_t sink;

// The bindings allocate each list or string the host returns through
// cabi_realloc, whose weak definition there mallocs. bench.c reads into one
// static buffer, and libc's readdir into the DIR's own; so here a call made
// with `landing` armed has its one list land in `landing` instead (as the
// preview1 adapter lands reads and names in its caller's buffer), and the
// loops time the host's work, not the guest's malloc and free. A landed
// list must not be freed.
static uint8_t landing[READ_CHUNK];
static bool landing_armed;

__attribute__((__export_name__("cabi_realloc")))
void *cabi_realloc(void *ptr, size_t old_size, size_t align, size_t new_size) {
  (void)old_size;
  if (landing_armed && ptr == NULL && new_size <= sizeof landing) {
    landing_armed = false;
    return landing;
  }
  if (new_size == 0) return (void *)align;
  void *ret = realloc(ptr, new_size);
  if (ret == NULL) abort();
  return ret;
}

static command_string_t string_of(const char *s) {
  return (command_string_t){(uint8_t *)s, strlen(s)};
}

static bool string_is(const command_string_t *s, const char *c) {
  return s->len == strlen(c) && memcmp(s->ptr, c, s->len) == 0;
}

// Output: a line is built in `line` and written to stdout or stderr whole.
static char line[512];
static size_t line_len;

static void put(const char *p, size_t len) {
  if (len > sizeof line - line_len) len = sizeof line - line_len;
  memcpy(line + line_len, p, len);
  line_len += len;
}

static void put_str(const char *s) { put(s, strlen(s)); }

static void put_u64(uint64_t v) {
  char digits[20];
  size_t i = sizeof digits;
  do {
    digits[--i] = (char)('0' + v % 10);
    v /= 10;
  } while (v != 0);
  put(digits + i, sizeof digits - i);
}

// Writes the line (at most 512 bytes, within the 4096 that
// blocking-write-and-flush takes) and starts a new one.
static bool flush_line(own_output_t stream) {
  command_list_u8_t bytes = {(uint8_t *)line, line_len};
  stream_error_t e;
  line_len = 0;
  bool ok = wasi_io_streams_method_output_stream_blocking_write_and_flush(
      wasi_io_streams_borrow_output_stream(stream), &bytes, &e);
  if (!ok && e.tag == WASI_IO_STREAMS_STREAM_ERROR_LAST_OPERATION_FAILED)
    wasi_io_error_error_drop_own(e.val.last_operation_failed);
  return ok;
}

static _Noreturn void exit_with(bool ok) {
  wasi_cli_exit_result_void_void_t status = {.is_err = !ok};
  wasi_cli_exit_exit(&status);
  abort();  // exit does not return
}

// Ends the program: the line built so far, on stderr, and exit with err.
static _Noreturn void die(void) {
  put_str("\n");
  flush_line(wasi_cli_stderr_get_stderr());
  exit_with(false);
}

static void put_what(const char *what, const char *path) {
  put_str("bench_p2: ");
  put_str(what);
  put_str(" ");
  put_str(path);
  put_str(": ");
}

// "bench_p2: WHAT PATH: CAUSE" on stderr, and exit with err.
static _Noreturn void fail(const char *what, const char *path, const char *cause) {
  put_what(what, path);
  put_str(cause);
  die();
}

// As fail, with a wasi:filesystem error code (its number in the WIT's enum).
static _Noreturn void fail_code(const char *what, const char *path, error_code_t code) {
  put_what(what, path);
  put_str("error-code ");
  put_u64(code);
  die();
}

// As fail, with a stream error; a filesystem stream's failure carries an
// error code.
static _Noreturn void fail_stream(const char *what, const char *path, stream_error_t *e) {
  if (e->tag != WASI_IO_STREAMS_STREAM_ERROR_LAST_OPERATION_FAILED) fail(what, path, "closed");
  error_code_t code;
  if (wasi_filesystem_types_filesystem_error_code(
          wasi_io_error_borrow_error(e->val.last_operation_failed), &code))
    fail_code(what, path, code);
  fail(what, path, "last-operation-failed");
}

static own_descriptor_t open_at(const char *path, wasi_filesystem_types_open_flags_t open,
                                wasi_filesystem_types_descriptor_flags_t flags) {
  command_string_t name = string_of(path);
  own_descriptor_t file;
  error_code_t code;
  if (!wasi_filesystem_types_method_descriptor_open_at(
          base, WASI_FILESYSTEM_TYPES_PATH_FLAGS_SYMLINK_FOLLOW, &name, open, flags, &file, &code))
    fail_code("open-at", path, code);
  return file;
}

static descriptor_t borrow(own_descriptor_t file) {
  return wasi_filesystem_types_borrow_descriptor(file);
}

static uint64_t started;
static void start(void) { started = wasi_clocks_monotonic_clock_now(); }
static uint64_t stop(void) { return wasi_clocks_monotonic_clock_now() - started; }

static own_output_t write_stream(descriptor_t file, const char *path) {
  own_output_t out;
  error_code_t code;
  if (!wasi_filesystem_types_method_descriptor_write_via_stream(file, 0, &out, &code))
    fail_code("write-via-stream", path, code);
  return out;
}

// Writes all of p as the WIT requires: never more than check-write permits,
// waiting on the stream's pollable while it permits nothing.
static void stream_write(output_t out, const char *path, const uint8_t *p, size_t len) {
  stream_error_t e;
  while (len > 0) {
    uint64_t permit;
    if (!wasi_io_streams_method_output_stream_check_write(out, &permit, &e))
      fail_stream("check-write", path, &e);
    if (permit == 0) {
      wasi_io_poll_own_pollable_t ready = wasi_io_streams_method_output_stream_subscribe(out);
      wasi_io_poll_method_pollable_block(wasi_io_poll_borrow_pollable(ready));
      wasi_io_poll_pollable_drop_own(ready);
      continue;
    }
    size_t n = permit < len ? (size_t)permit : len;
    command_list_u8_t bytes = {(uint8_t *)p, n};
    if (!wasi_io_streams_method_output_stream_write(out, &bytes, &e))
      fail_stream("write", path, &e);
    p += n;
    len -= n;
  }
}

static void stream_flush(output_t out, const char *path) {
  stream_error_t e;
  if (!wasi_io_streams_method_output_stream_blocking_flush(out, &e))
    fail_stream("blocking-flush", path, &e);
}

static uint64_t op_write16(uint64_t n) {
  const char *path = "write16.out";
  own_descriptor_t file = open_at(path, WASI_FILESYSTEM_TYPES_OPEN_FLAGS_CREATE |
                                            WASI_FILESYSTEM_TYPES_OPEN_FLAGS_TRUNCATE,
                                  WASI_FILESYSTEM_TYPES_DESCRIPTOR_FLAGS_WRITE);
  static const uint8_t buf[16] = "0123456789abcdef";
  own_output_t out = write_stream(borrow(file), path);
  start();
  for (uint64_t i = 1; i <= n; i++) {
    stream_write(wasi_io_streams_borrow_output_stream(out), path, buf, sizeof buf);
    // As bench.c seeks back every 4096 writes, a new stream at offset 0
    // keeps the file within 64 KiB of cached pages.
    if (i % 4096 == 0) {
      stream_flush(wasi_io_streams_borrow_output_stream(out), path);
      wasi_io_streams_output_stream_drop_own(out);
      out = write_stream(borrow(file), path);
    }
  }
  // A host may write behind the guest's back; the op ends when it is done.
  stream_flush(wasi_io_streams_borrow_output_stream(out), path);
  uint64_t elapsed = stop();
  wasi_io_streams_output_stream_drop_own(out);
  wasi_filesystem_types_descriptor_drop_own(file);
  return elapsed;
}

static own_input_t read_stream(descriptor_t file, const char *path) {
  own_input_t in;
  error_code_t code;
  if (!wasi_filesystem_types_method_descriptor_read_via_stream(file, 0, &in, &code))
    fail_code("read-via-stream", path, code);
  return in;
}

static uint64_t op_read_stream64k(uint64_t n) {
  const char *path = FIXTURE_BIG;
  own_descriptor_t file = open_at(path, 0, WASI_FILESYSTEM_TYPES_DESCRIPTOR_FLAGS_READ);
  own_input_t in = read_stream(borrow(file), path);
  bool fresh = true;  // nothing read yet from `in`
  uint64_t acc = 0;
  start();
  for (uint64_t i = 0; i < n; i++) {
    // One iteration is 64 KiB, in as many reads as the host needs (the file
    // is a whole number of chunks).
    uint64_t need = READ_CHUNK;
    while (need > 0) {
      command_list_u8_t got;
      stream_error_t e;
      landing_armed = true;
      bool read = wasi_io_streams_method_input_stream_blocking_read(
          wasi_io_streams_borrow_input_stream(in), need, &got, &e);
      landing_armed = false;
      if (!read) {
        if (e.tag == WASI_IO_STREAMS_STREAM_ERROR_CLOSED && need == READ_CHUNK && !fresh) {
          // End of file: the next pass, on a new stream from offset 0. It
          // comes once in 1024 chunks, as bench.c's lseek does.
          wasi_io_streams_input_stream_drop_own(in);
          in = read_stream(borrow(file), path);
          fresh = true;
          continue;
        }
        fail_stream("blocking-read", path, &e);
      }
      if (got.len == 0 || got.len > need) fail("blocking-read", path, "bad length");
      acc += got.ptr[0];
      need -= got.len;
      fresh = false;
      if (got.ptr != landing) command_list_u8_free(&got);
    }
  }
  uint64_t elapsed = stop();
  sink = acc;
  wasi_io_streams_input_stream_drop_own(in);
  wasi_filesystem_types_descriptor_drop_own(file);
  return elapsed;
}

static uint64_t op_open_at(uint64_t n) {
  start();
  for (uint64_t i = 0; i < n; i++)
    wasi_filesystem_types_descriptor_drop_own(
        open_at(FIXTURE_NESTED, 0, WASI_FILESYSTEM_TYPES_DESCRIPTOR_FLAGS_READ));
  return stop();
}

static uint64_t op_stat_at(uint64_t n) {
  command_string_t name = string_of(FIXTURE_NESTED);
  wasi_filesystem_types_descriptor_stat_t st;
  error_code_t code;
  uint64_t acc = 0;
  start();
  for (uint64_t i = 0; i < n; i++) {
    if (!wasi_filesystem_types_method_descriptor_stat_at(
            base, WASI_FILESYSTEM_TYPES_PATH_FLAGS_SYMLINK_FOLLOW, &name, &st, &code))
      fail_code("stat-at", FIXTURE_NESTED, code);
    acc += st.size;
  }
  uint64_t elapsed = stop();
  sink = acc;
  return elapsed;
}

static uint64_t op_readdir(uint64_t n) {
  const char *path = FIXTURE_MANY;
  own_descriptor_t dir = open_at(path, WASI_FILESYSTEM_TYPES_OPEN_FLAGS_DIRECTORY,
                                 WASI_FILESYSTEM_TYPES_DESCRIPTOR_FLAGS_READ);
  error_code_t code;
  start();
  for (uint64_t i = 0; i < n; i++) {
    wasi_filesystem_types_own_directory_entry_stream_t entries;
    if (!wasi_filesystem_types_method_descriptor_read_directory(borrow(dir), &entries, &code))
      fail_code("read-directory", path, code);
    wasi_filesystem_types_borrow_directory_entry_stream_t stream =
        wasi_filesystem_types_borrow_directory_entry_stream(entries);
    uint64_t count = 0;
    for (;;) {
      wasi_filesystem_types_option_directory_entry_t entry;
      landing_armed = true;
      bool read = wasi_filesystem_types_method_directory_entry_stream_read_directory_entry(
          stream, &entry, &code);
      landing_armed = false;
      if (!read) fail_code("read-directory-entry", path, code);
      if (!entry.is_some) break;
      count++;
      if (entry.val.name.ptr != landing) wasi_filesystem_types_option_directory_entry_free(&entry);
    }
    wasi_filesystem_types_directory_entry_stream_drop_own(entries);
    // wasi 0.2 lists neither "." nor "..".
    if (count != FIXTURE_MANY_ENTRIES) fail("read-directory", path, "wrong entry count");
  }
  uint64_t elapsed = stop();
  wasi_filesystem_types_descriptor_drop_own(dir);
  return elapsed;
}

static const struct {
  const char *name;
  uint64_t (*run)(uint64_t);
} ops[] = {
    {"p2_write16", op_write16}, {"p2_read_stream64k", op_read_stream64k},
    {"p2_open_at", op_open_at}, {"p2_stat_at", op_stat_at},
    {"p2_readdir", op_readdir},
};

// A decimal count, or 0 if `s` is not one.
static uint64_t parse_count(const command_string_t *s) {
  uint64_t v = 0;
  for (size_t i = 0; i < s->len; i++) {
    if (s->ptr[i] < '0' || s->ptr[i] > '9' || v > UINT64_MAX / 10 - 1) return 0;
    v = v * 10 + (uint64_t)(s->ptr[i] - '0');
  }
  return v;
}

// Keeps the preopen named `name` in `base` and drops the others.
static void find_base(const command_string_t *name) {
  wasi_filesystem_preopens_list_tuple2_own_descriptor_string_t dirs;
  wasi_filesystem_preopens_get_directories(&dirs);
  bool found = false;
  for (size_t i = 0; i < dirs.len; i++) {
    const command_string_t *guest = &dirs.ptr[i].f1;
    if (!found && guest->len == name->len && memcmp(guest->ptr, name->ptr, name->len) == 0) {
      base = borrow(dirs.ptr[i].f0);
      found = true;
    } else {
      wasi_filesystem_types_descriptor_drop_own(dirs.ptr[i].f0);
    }
    command_string_free(&dirs.ptr[i].f1);
  }
  free(dirs.ptr);
  if (!found) {
    put_str("bench_p2: no preopen named ");
    put((const char *)name->ptr, name->len);
    die();
  }
}

bool exports_wasi_cli_run_run(void) {
  command_list_string_t args;
  wasi_cli_environment_get_arguments(&args);
  if (args.len != 5) {
    put_str("usage: bench_p2 OP ITERATIONS REPETITIONS DIR");
    die();
  }
  const command_string_t *op = &args.ptr[1];
  uint64_t iterations = parse_count(&args.ptr[2]);
  uint64_t repetitions = parse_count(&args.ptr[3]);
  if (iterations == 0) {
    put_str("bench_p2: ITERATIONS must be a positive count");
    die();
  }
  find_base(&args.ptr[4]);
  own_output_t out = wasi_cli_stdout_get_stdout();
  for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
    if (!string_is(op, ops[i].name)) continue;
    for (uint64_t rep = 0; rep < repetitions; rep++) {
      uint64_t elapsed = ops[i].run(iterations);
      // NS_PER_ITERATION with one decimal, as bench.c prints it.
      uint64_t tenths = (elapsed * 10 + iterations / 2) / iterations;
      put_str(ops[i].name);
      put_str(" ");
      put_u64(tenths / 10);
      put_str(".");
      put_u64(tenths % 10);
      put_str("\n");
      if (!flush_line(out)) return false;
    }
    return true;
  }
  put_str("bench_p2: unknown op ");
  put((const char *)op->ptr, op->len);
  die();
}
