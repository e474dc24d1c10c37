/* random_get with a large buffer, with small and unaligned ones, and with
 * zero length: every byte is written (and none past the end), the output
 * looks random (every byte value shows up in a large draw, two draws
 * differ), and a zero-length request succeeds and writes nothing. */
#include "spec.h"

#define BIG (4u << 20)

static uint8_t big[BIG + 16];

int main(void) {
  section("a large buffer");
  memset(big, 0, sizeof big);
  big[BIG] = 0xA5;
  OK(__wasi_random_get(big, BIG));
  EXPECT(big[BIG] == 0xA5);
  static unsigned counts[256];
  for (size_t i = 0; i < BIG; i++) counts[big[i]]++;
  /* 4 MiB of random bytes: about 16384 of each value; far from that in any
   * direction means the bytes were not filled in or are not random. */
  unsigned lo = ~0u, hi = 0;
  for (int v = 0; v < 256; v++) {
    if (counts[v] < lo) lo = counts[v];
    if (counts[v] > hi) hi = counts[v];
  }
  EXPECT(lo > 14000 && hi < 19000);
  /* The last bytes were written too. */
  int tail_zero = 1;
  for (size_t i = BIG - 64; i < BIG; i++) tail_zero &= big[i] == 0;
  EXPECT(!tail_zero);

  section("two draws differ");
  uint8_t a[32], b[32];
  OK(__wasi_random_get(a, sizeof a));
  OK(__wasi_random_get(b, sizeof b));
  EXPECT(memcmp(a, b, sizeof a) != 0);

  section("small and unaligned buffers");
  for (size_t len = 1; len <= 9; len++) {
    for (size_t off = 0; off < 4; off++) {
      uint8_t buf[16];
      memset(buf, 0xEE, sizeof buf);
      OK(__wasi_random_get(buf + off, len));
      /* Only [off, off + len) may change. */
      int outside = 1;
      for (size_t i = 0; i < sizeof buf; i++)
        if (i < off || i >= off + len) outside &= buf[i] == 0xEE;
      EXPECT(outside);
    }
  }

  section("zero length");
  uint8_t one = 0x42;
  OK(__wasi_random_get(&one, 0));
  EXPECT(one == 0x42);
  OK(__wasi_random_get(NULL, 0));
  return finish();
}
