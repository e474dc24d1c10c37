/* random_get: empty requests, large requests, and fresh bytes per call.
 *
 * Finally prints a sample of the stream so the host can check that a seeded
 * source gives the same bytes on every run and an unseeded one does not. */
#include <stdint.h>
#include <unistd.h>
#include <wasi/api.h>

#include "check.h"

#define MIB (1024 * 1024)
#define CHUNK 4096

/* True when every byte of `buf` equals `b`. */
static int all(const uint8_t *buf, size_t len, uint8_t b) {
  for (size_t i = 0; i < len; i++)
    if (buf[i] != b) return 0;
  return 1;
}

int main(void) {
  /* An empty request succeeds and writes nothing, even with a pointer
   * one past the end of a buffer. */
  uint8_t small[8];
  memset(small, 0x77, sizeof small);
  CHECK_ERRNO(__wasi_random_get(small, 0), __WASI_ERRNO_SUCCESS);
  CHECK_ERRNO(__wasi_random_get(small + sizeof small, 0), __WASI_ERRNO_SUCCESS);
  CHECK(all(small, sizeof small, 0x77));
  OK("zero-length random_get");

  /* 1 MiB in one call: every 4 KiB chunk gets written, whatever the buffer
   * held before (checked from two different prefills so that a chunk left
   * untouched cannot pass by luck). */
  uint8_t *big = malloc(MIB);
  CHECK(big != NULL);
  static const uint8_t fills[] = {0x00, 0xff};
  for (size_t f = 0; f < 2; f++) {
    memset(big, fills[f], MIB);
    CHECK_ERRNO(__wasi_random_get(big, MIB), __WASI_ERRNO_SUCCESS);
    for (size_t off = 0; off < MIB; off += CHUNK)
      CHECK(!all(big + off, CHUNK, fills[f]));
  }
  /* Roughly uniform: about MIB/256 zero bytes are expected; twice that
   * would mean the source is badly skewed. */
  size_t zeros = 0;
  for (size_t i = 0; i < MIB; i++) zeros += big[i] == 0;
  CHECK(zeros > MIB / 256 / 2 && zeros < MIB / 256 * 2);
  OK("1 MiB random_get fills the buffer");

  /* Two calls give different bytes. */
  uint8_t a[32], b[32];
  CHECK_ERRNO(__wasi_random_get(a, sizeof a), __WASI_ERRNO_SUCCESS);
  CHECK_ERRNO(__wasi_random_get(b, sizeof b), __WASI_ERRNO_SUCCESS);
  CHECK(memcmp(a, b, sizeof a) != 0);
  OK("successive calls differ");

  /* Odd lengths and unaligned destinations work too. */
  uint8_t odd[67];
  memset(odd, 0, sizeof odd);
  CHECK_ERRNO(__wasi_random_get(odd + 1, 65), __WASI_ERRNO_SUCCESS);
  CHECK(odd[0] == 0 && odd[66] == 0);
  OK("unaligned random_get stays in bounds");

  /* wasi-libc's getentropy is random_get underneath. */
  uint8_t e[256];
  memset(e, 0, sizeof e);
  CHECK(getentropy(e, sizeof e) == 0);
  CHECK(!all(e, sizeof e, 0));
  OK("getentropy");

  uint8_t sample[32];
  CHECK_ERRNO(__wasi_random_get(sample, sizeof sample), __WASI_ERRNO_SUCCESS);
  printf("sample ");
  for (size_t i = 0; i < sizeof sample; i++) printf("%02x", sample[i]);
  printf("\n");
  free(big);
  return 0;
}
