// wasi:io/streams through the stdio streams and file streams. The first
// argument picks the mode:
//
//   out       stdout and stderr: check-write, write, flush, blocking-flush,
//             subscribe, blocking-write-and-flush, write-zeroes,
//             blocking-write-zeroes-and-flush. stderr receives a known
//             byte sequence (see README.md).
//   in        stdin, which must hold exactly "hello stdin\n": read of 0 bytes,
//             subscribe, skip, blocking-skip, read, blocking-read to the end,
//             then every read and skip keeps returning `closed`.
//   in-empty  stdin, which must be empty: blocking-read gives `closed`.
//   splice    needs the read-write preopen "/sandbox": splice and
//             blocking-splice from a file input stream to a file output
//             stream, and a stream error read through wasi:io/error.
//   trap-blocking-write  blocking-write-and-flush of 4097 bytes, over the
//             4096 the WIT allows; prints FAIL if the host accepts it.
//   fail      stdout, which the host must fail every write to: the write
//             gives last-operation-failed, whose error describes itself
//             (to-debug-string) and carries an error code
//             (filesystem-error-code), and the stream stays closed after.
//             As stdout is broken, this mode reports on stderr, one line per
//             step: "ok write-fails", "ok to-debug-string", "code NAME" (or
//             "code none"), "ok closed-after-failure".
//
// Nothing here writes more than check-write permitted (the WIT says that
// traps), nor, outside trap-blocking-write, more than 4096 bytes per
// blocking-write-and-flush.
#include "p2check.h"

typedef wasi_io_streams_borrow_output_stream_t ostream_t;
typedef wasi_io_streams_borrow_input_stream_t istream_t;

#define KIB100 (100 * 1024)

static uint8_t pattern_byte(size_t i) { return (uint8_t)('a' + i % 26); }

static uint8_t *pattern(size_t len) {
  uint8_t *p = malloc(len);
  CHECK(p != NULL);
  for (size_t i = 0; i < len; i++) p[i] = pattern_byte(i);
  return p;
}

// Writes all of p with check-write and write alone, waiting on the stream's
// pollable whenever the budget is 0.
static void write_nonblocking(ostream_t out, const uint8_t *p, size_t len) {
  pollable_t ready_p = wasi_io_streams_method_output_stream_subscribe(out);
  while (len > 0) {
    uint64_t permit;
    ST_OK(wasi_io_streams_method_output_stream_check_write(out, &permit, &serr));
    if (permit == 0) {
      block(ready_p);
      continue;
    }
    size_t n = permit < len ? (size_t)permit : len;
    command_list_u8_t list = {(uint8_t *)p, n};
    ST_OK(wasi_io_streams_method_output_stream_write(out, &list, &serr));
    p += n;
    len -= n;
  }
  pollable_drop(ready_p);
}

static void write_zeroes_nonblocking(ostream_t out, uint64_t len) {
  pollable_t ready_p = wasi_io_streams_method_output_stream_subscribe(out);
  while (len > 0) {
    uint64_t permit;
    ST_OK(wasi_io_streams_method_output_stream_check_write(out, &permit, &serr));
    if (permit == 0) {
      block(ready_p);
      continue;
    }
    uint64_t n = permit < len ? permit : len;
    ST_OK(wasi_io_streams_method_output_stream_write_zeroes(out, n, &serr));
    len -= n;
  }
  pollable_drop(ready_p);
}

static void mode_out(void) {
  ostream_t out = p2_stdout();

  // A budget > 0 on a fresh stream, and a write within it.
  uint64_t permit = 0;
  ST_OK(wasi_io_streams_method_output_stream_check_write(out, &permit, &serr));
  CHECK(permit > 0);
  OK("check-write");
  command_list_u8_t empty = {NULL, 0};
  ST_OK(wasi_io_streams_method_output_stream_write(out, &empty, &serr));
  static const char line[] = "ok write\n";
  write_nonblocking(out, (const uint8_t *)line, sizeof line - 1);

  // flush does not block; once the pollable is ready the budget is back.
  ST_OK(wasi_io_streams_method_output_stream_flush(out, &serr));
  pollable_t p = wasi_io_streams_method_output_stream_subscribe(out);
  block(p);
  CHECK(ready(p));
  ST_OK(wasi_io_streams_method_output_stream_check_write(out, &permit, &serr));
  CHECK(permit > 0);
  OK("flush");

  // poll over the one pollable reports index 0.
  wasi_io_poll_borrow_pollable_t b = wasi_io_poll_borrow_pollable(p);
  wasi_io_poll_list_borrow_pollable_t list = {&b, 1};
  command_list_u32_t which;
  wasi_io_poll_poll(&list, &which);
  CHECK(which.len == 1 && which.ptr[0] == 0);
  command_list_u32_free(&which);
  pollable_drop(p);
  OK("subscribe");

  static const char line2[] = "ok blocking-flush\n";
  write_nonblocking(out, (const uint8_t *)line2, sizeof line2 - 1);
  ST_OK(wasi_io_streams_method_output_stream_blocking_flush(out, &serr));
  ST_OK(wasi_io_streams_method_output_stream_check_write(out, &permit, &serr));
  CHECK(permit > 0);
  OK("check-write-after-flush");

  // stderr: 100 KiB of pattern by blocking-write-and-flush (4096 at a time),
  // the same 100 KiB again by check-write and write, 256 zeroes by
  // write-zeroes, 256 by blocking-write-zeroes-and-flush, then "\n".
  wasi_io_streams_own_output_stream_t err_own = wasi_cli_stderr_get_stderr();
  ostream_t err = wasi_io_streams_borrow_output_stream(err_own);
  uint8_t *data = pattern(KIB100);
  for (size_t at = 0; at < KIB100; at += 4096) {
    size_t n = KIB100 - at < 4096 ? KIB100 - at : 4096;
    command_list_u8_t chunk = {data + at, n};
    ST_OK(wasi_io_streams_method_output_stream_blocking_write_and_flush(err, &chunk, &serr));
  }
  OK("blocking-write-and-flush");
  write_nonblocking(err, data, KIB100);
  ST_OK(wasi_io_streams_method_output_stream_blocking_flush(err, &serr));
  OK("write-loop");
  free(data);
  write_zeroes_nonblocking(err, 256);
  ST_OK(wasi_io_streams_method_output_stream_blocking_flush(err, &serr));
  OK("write-zeroes");
  ST_OK(wasi_io_streams_method_output_stream_blocking_write_zeroes_and_flush(err, 256, &serr));
  OK("blocking-write-zeroes-and-flush");
  command_list_u8_t nl = {(uint8_t *)"\n", 1};
  ST_OK(wasi_io_streams_method_output_stream_blocking_write_and_flush(err, &nl, &serr));
  wasi_io_streams_output_stream_drop_own(err_own);
}

// Reads exactly len bytes with non-blocking reads, waiting on p between them.
static void read_exact_nonblocking(istream_t in, pollable_t p, const char *want) {
  size_t len = strlen(want), got = 0;
  while (got < len) {
    command_list_u8_t bytes;
    ST_OK(wasi_io_streams_method_input_stream_read(in, len - got, &bytes, &serr));
    CHECK(bytes.len <= len - got);
    CHECK(bytes.len == 0 || memcmp(bytes.ptr, want + got, bytes.len) == 0);
    got += bytes.len;
    if (bytes.len == 0) block(p);
    command_list_u8_free(&bytes);
  }
}

// After `closed`, every read and skip stays `closed` and the pollable is ready.
static void check_stays_closed(istream_t in, pollable_t p) {
  command_list_u8_t bytes;
  uint64_t n;
  ST_CLOSED(wasi_io_streams_method_input_stream_read(in, 0, &bytes, &serr));
  ST_CLOSED(wasi_io_streams_method_input_stream_read(in, 10, &bytes, &serr));
  ST_CLOSED(wasi_io_streams_method_input_stream_blocking_read(in, 10, &bytes, &serr));
  ST_CLOSED(wasi_io_streams_method_input_stream_skip(in, 10, &n, &serr));
  ST_CLOSED(wasi_io_streams_method_input_stream_blocking_skip(in, 10, &n, &serr));
  CHECK(ready(p));
  pollable_t again = wasi_io_streams_method_input_stream_subscribe(in);
  CHECK(ready(again));
  pollable_drop(again);
}

static void mode_in(void) {
  wasi_io_streams_own_input_stream_t own = wasi_cli_stdin_get_stdin();
  istream_t in = wasi_io_streams_borrow_input_stream(own);

  command_list_u8_t bytes;
  ST_OK(wasi_io_streams_method_input_stream_read(in, 0, &bytes, &serr));
  CHECK(bytes.len == 0);
  command_list_u8_free(&bytes);
  OK("read-zero");

  pollable_t p = wasi_io_streams_method_input_stream_subscribe(in);
  block(p);
  CHECK(ready(p));
  OK("subscribe");

  // "h" by skip, "ello " by blocking-skip, "st" by read, the rest by
  // blocking-read.
  uint64_t skipped = 0, n;
  while (skipped < 1) {
    ST_OK(wasi_io_streams_method_input_stream_skip(in, 1 - skipped, &n, &serr));
    CHECK(n <= 1 - skipped);
    skipped += n;
    if (n == 0) block(p);
  }
  OK("skip");
  skipped = 0;
  while (skipped < 5) {
    ST_OK(wasi_io_streams_method_input_stream_blocking_skip(in, 5 - skipped, &n, &serr));
    CHECK(n > 0 && n <= 5 - skipped);
    skipped += n;
  }
  OK("blocking-skip");
  read_exact_nonblocking(in, p, "st");
  OK("read");

  static const char rest[] = "din\n";
  size_t got = 0;
  for (;;) {
    if (!wasi_io_streams_method_input_stream_blocking_read(in, 100, &bytes, &serr)) {
      CHECK(serr.tag == WASI_IO_STREAMS_STREAM_ERROR_CLOSED);
      break;
    }
    CHECK(bytes.len > 0);  // blocking-read waits for at least one byte
    CHECK(got + bytes.len <= sizeof rest - 1);
    CHECK(memcmp(bytes.ptr, rest + got, bytes.len) == 0);
    got += bytes.len;
    command_list_u8_free(&bytes);
  }
  CHECK(got == sizeof rest - 1);
  OK("blocking-read");

  check_stays_closed(in, p);
  OK("closed-stays-closed");
  pollable_drop(p);
  wasi_io_streams_input_stream_drop_own(own);
}

static void mode_in_empty(void) {
  wasi_io_streams_own_input_stream_t own = wasi_cli_stdin_get_stdin();
  istream_t in = wasi_io_streams_borrow_input_stream(own);
  command_list_u8_t bytes;
  ST_CLOSED(wasi_io_streams_method_input_stream_blocking_read(in, 10, &bytes, &serr));
  OK("blocking-read-empty");
  pollable_t p = wasi_io_streams_method_input_stream_subscribe(in);
  check_stays_closed(in, p);
  OK("closed-stays-closed");
  pollable_drop(p);
  wasi_io_streams_input_stream_drop_own(own);
}

static wasi_filesystem_types_own_descriptor_t sandbox(void) {
  wasi_filesystem_preopens_list_tuple2_own_descriptor_string_t dirs;
  wasi_filesystem_preopens_get_directories(&dirs);
  wasi_filesystem_types_own_descriptor_t found = {-1};
  for (size_t i = 0; i < dirs.len; i++) {
    if (found.__handle < 0 && str_eq(&dirs.ptr[i].f1, "/sandbox")) {
      found = dirs.ptr[i].f0;
    } else {
      wasi_filesystem_types_descriptor_drop_own(dirs.ptr[i].f0);
    }
    command_string_free(&dirs.ptr[i].f1);
  }
  free(dirs.ptr);
  if (found.__handle < 0) p2_fail(__FILE__, __LINE__, "no preopen named /sandbox", NULL);
  return found;
}

#define SPLICE_LEN 10000

static void mode_splice(void) {
  wasi_filesystem_types_own_descriptor_t dir_own = sandbox();
  wasi_filesystem_types_borrow_descriptor_t dir = wasi_filesystem_types_borrow_descriptor(dir_own);
  const wasi_filesystem_types_open_flags_t create =
      WASI_FILESYSTEM_TYPES_OPEN_FLAGS_CREATE | WASI_FILESYSTEM_TYPES_OPEN_FLAGS_TRUNCATE;
  const wasi_filesystem_types_descriptor_flags_t rw =
      WASI_FILESYSTEM_TYPES_DESCRIPTOR_FLAGS_READ | WASI_FILESYSTEM_TYPES_DESCRIPTOR_FLAGS_WRITE;

  wasi_filesystem_types_own_descriptor_t src_own, dst_own;
  FS_OK(wasi_filesystem_types_method_descriptor_open_at(dir, 0, STR("splice-src.bin"), create, rw,
                                                        &src_own, &ec));
  FS_OK(wasi_filesystem_types_method_descriptor_open_at(dir, 0, STR("splice-dst.bin"), create, rw,
                                                        &dst_own, &ec));
  wasi_filesystem_types_borrow_descriptor_t src = wasi_filesystem_types_borrow_descriptor(src_own);
  wasi_filesystem_types_borrow_descriptor_t dst = wasi_filesystem_types_borrow_descriptor(dst_own);
  uint8_t *data = pattern(SPLICE_LEN);
  for (uint64_t at = 0; at < SPLICE_LEN;) {
    command_list_u8_t buf = {data + at, SPLICE_LEN - at};
    uint64_t n;
    FS_OK(wasi_filesystem_types_method_descriptor_write(src, &buf, at, &n, &ec));
    CHECK(n > 0);
    at += n;
  }

  wasi_io_streams_own_input_stream_t in_own;
  wasi_io_streams_own_output_stream_t out_own;
  FS_OK(wasi_filesystem_types_method_descriptor_read_via_stream(src, 0, &in_own, &ec));
  FS_OK(wasi_filesystem_types_method_descriptor_write_via_stream(dst, 0, &out_own, &ec));
  istream_t in = wasi_io_streams_borrow_input_stream(in_own);
  ostream_t out = wasi_io_streams_borrow_output_stream(out_own);
  pollable_t in_p = wasi_io_streams_method_input_stream_subscribe(in);
  pollable_t out_p = wasi_io_streams_method_output_stream_subscribe(out);

  // The first 4000 bytes by splice, waiting on both ends when it moves
  // nothing; the rest by blocking-splice until the source is closed.
  uint64_t total = 0, n;
  while (total < 4000) {
    ST_OK(wasi_io_streams_method_output_stream_splice(out, in, 4000 - total, &n, &serr));
    CHECK(n <= 4000 - total);
    total += n;
    if (n == 0) {
      wasi_io_poll_borrow_pollable_t both[2] = {wasi_io_poll_borrow_pollable(in_p),
                                                wasi_io_poll_borrow_pollable(out_p)};
      wasi_io_poll_list_borrow_pollable_t list = {both, 2};
      command_list_u32_t which;
      wasi_io_poll_poll(&list, &which);
      command_list_u32_free(&which);
    }
  }
  OK("splice");
  for (;;) {
    if (!wasi_io_streams_method_output_stream_blocking_splice(out, in, 1u << 20, &n, &serr)) {
      CHECK(serr.tag == WASI_IO_STREAMS_STREAM_ERROR_CLOSED);
      break;
    }
    total += n;
    CHECK(total <= SPLICE_LEN);
  }
  CHECK(total == SPLICE_LEN);
  ST_OK(wasi_io_streams_method_output_stream_blocking_flush(out, &serr));
  // The source stays closed for splice too.
  ST_CLOSED(wasi_io_streams_method_output_stream_splice(out, in, 10, &n, &serr));
  ST_CLOSED(wasi_io_streams_method_output_stream_blocking_splice(out, in, 10, &n, &serr));
  check_stays_closed(in, in_p);
  pollable_drop(in_p);
  pollable_drop(out_p);
  wasi_io_streams_input_stream_drop_own(in_own);
  wasi_io_streams_output_stream_drop_own(out_own);

  command_tuple2_list_u8_bool_t read;
  FS_OK(wasi_filesystem_types_method_descriptor_read(dst, SPLICE_LEN + 10, 0, &read, &ec));
  CHECK(bytes_eq(&read.f0, data, SPLICE_LEN));
  command_list_u8_free(&read.f0);
  OK("blocking-splice");
  free(data);

  // A read stream over a file opened for writing only: the read fails with
  // last-operation-failed, whose error has a debug string and, through
  // wasi:filesystem, an error code.
  wasi_filesystem_types_own_descriptor_t wo_own;
  FS_OK(wasi_filesystem_types_method_descriptor_open_at(
      dir, 0, STR("splice-src.bin"), 0, WASI_FILESYSTEM_TYPES_DESCRIPTOR_FLAGS_WRITE, &wo_own,
      &ec));
  wasi_filesystem_types_borrow_descriptor_t wo = wasi_filesystem_types_borrow_descriptor(wo_own);
  if (wasi_filesystem_types_method_descriptor_read_via_stream(wo, 0, &in_own, &ec)) {
    in = wasi_io_streams_borrow_input_stream(in_own);
    command_list_u8_t bytes;
    CHECK(!wasi_io_streams_method_input_stream_blocking_read(in, 10, &bytes, &serr));
    CHECK(serr.tag == WASI_IO_STREAMS_STREAM_ERROR_LAST_OPERATION_FAILED);
    wasi_io_error_borrow_error_t e = wasi_io_error_borrow_error(serr.val.last_operation_failed);
    command_string_t text;
    wasi_io_error_method_error_to_debug_string(e, &text);
    CHECK(text.len > 0);
    command_string_free(&text);
    OK("to-debug-string");
    fs_code_t code;
    if (wasi_filesystem_types_filesystem_error_code(e, &code))
      got_code("read-stream-on-write-only-file", code);
    else
      out_str("got read-stream-on-write-only-file none\n");
    wasi_io_error_error_drop_own(serr.val.last_operation_failed);
    // After last-operation-failed the stream is closed.
    ST_CLOSED(wasi_io_streams_method_input_stream_read(in, 10, &bytes, &serr));
    wasi_io_streams_input_stream_drop_own(in_own);
  } else {
    got_code("read-via-stream-on-write-only-file", ec);
  }
  wasi_filesystem_types_descriptor_drop_own(wo_own);

  wasi_filesystem_types_descriptor_drop_own(src_own);
  wasi_filesystem_types_descriptor_drop_own(dst_own);
  FS_OK(wasi_filesystem_types_method_descriptor_unlink_file_at(dir, STR("splice-src.bin"), &ec));
  FS_OK(wasi_filesystem_types_method_descriptor_unlink_file_at(dir, STR("splice-dst.bin"), &ec));
  wasi_filesystem_types_descriptor_drop_own(dir_own);
}

static void mode_trap_blocking_write(void) {
  static uint8_t zeros[4097];
  command_list_u8_t list = {zeros, sizeof zeros};
  bool wrote = wasi_io_streams_method_output_stream_blocking_write_and_flush(p2_stdout(), &list,
                                                                              &serr);
  if (!wrote) stream_error_drop(&serr);
  p2_fail(__FILE__, __LINE__, "blocking-write-and-flush of 4097 bytes did not trap",
          wrote ? "it succeeded" : stream_error_name(&serr));
}

// Writes a line to stderr; a failure ends the guest with status err.
static void err_line(const char *s) {
  wasi_io_streams_own_output_stream_t own = wasi_cli_stderr_get_stderr();
  command_list_u8_t bytes = {(uint8_t *)s, strlen(s)};
  stream_error_t e;
  bool wrote = wasi_io_streams_method_output_stream_blocking_write_and_flush(
      wasi_io_streams_borrow_output_stream(own), &bytes, &e);
  wasi_io_streams_output_stream_drop_own(own);
  if (!wrote) p2_exit(false);
}

#define ERR_CHECK(cond) \
  do {                  \
    if (!(cond)) {      \
      err_line("FAIL " #cond "\n"); \
      p2_exit(false);   \
    }                   \
  } while (0)

static _Noreturn void mode_fail(void) {
  wasi_io_streams_own_output_stream_t own = wasi_cli_stdout_get_stdout();
  ostream_t out = wasi_io_streams_borrow_output_stream(own);
  uint64_t budget;
  ERR_CHECK(wasi_io_streams_method_output_stream_check_write(out, &budget, &serr));
  ERR_CHECK(budget > 0);
  command_list_u8_t bytes = {(uint8_t *)"x", 1};
  ERR_CHECK(!wasi_io_streams_method_output_stream_write(out, &bytes, &serr));
  ERR_CHECK(serr.tag == WASI_IO_STREAMS_STREAM_ERROR_LAST_OPERATION_FAILED);
  err_line("ok write-fails\n");
  wasi_io_error_borrow_error_t e = wasi_io_error_borrow_error(serr.val.last_operation_failed);
  command_string_t text;
  wasi_io_error_method_error_to_debug_string(e, &text);
  ERR_CHECK(text.len > 0);
  command_string_free(&text);
  err_line("ok to-debug-string\n");
  fs_code_t code;
  if (wasi_filesystem_types_filesystem_error_code(e, &code)) {
    err_line("code ");
    err_line(fs_code_name(code));
    err_line("\n");
  } else {
    err_line("code none\n");
  }
  wasi_io_error_error_drop_own(serr.val.last_operation_failed);
  ERR_CHECK(!wasi_io_streams_method_output_stream_check_write(out, &budget, &serr));
  ERR_CHECK(serr.tag == WASI_IO_STREAMS_STREAM_ERROR_CLOSED);
  err_line("ok closed-after-failure\n");
  wasi_io_streams_output_stream_drop_own(own);
  p2_exit(true);
}

bool exports_wasi_cli_run_run(void) {
  command_list_string_t args = get_args();
  if (args.len < 2) p2_fail(__FILE__, __LINE__, "usage: p2_streams MODE", NULL);
  command_string_t *mode = &args.ptr[1];
  if (str_eq(mode, "out")) {
    mode_out();
  } else if (str_eq(mode, "in")) {
    mode_in();
  } else if (str_eq(mode, "in-empty")) {
    mode_in_empty();
  } else if (str_eq(mode, "splice")) {
    mode_splice();
  } else if (str_eq(mode, "trap-blocking-write")) {
    mode_trap_blocking_write();
  } else if (str_eq(mode, "fail")) {
    mode_fail();
  } else {
    p2_fail(__FILE__, __LINE__, "unknown mode", NULL);
  }
  command_list_string_free(&args);
  OK("p2_streams");
  p2_exit(true);
}
