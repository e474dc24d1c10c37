/* args_get, args_sizes_get, environ_get, environ_sizes_get.
 *
 * The guest checks what it can see for itself: that the sizes the host
 * reports match the strings it then writes, that every pointer lands inside
 * the buffer, that nothing is written past the reported sizes, and that
 * wasi-libc's argv agrees with the raw calls. It then prints every string so
 * the host test can compare them with what it configured. */
#include <stdint.h>
#include <wasi/api.h>

#include "check.h"

/* Bytes past the reported size that must stay untouched. */
#define GUARD 64
#define GUARD_BYTE 0xA5

/* Prints `s` with bytes outside printable ASCII escaped as \xNN, so the
 * host sees exactly which bytes arrived (UTF-8 included) on one line. */
static void print_escaped(const char *label, uint32_t i, const uint8_t *s) {
  printf("%s %u ", label, (unsigned)i);
  for (; *s; s++) {
    if (*s >= 0x20 && *s < 0x7f && *s != '\\')
      putchar(*s);
    else
      printf("\\x%02x", *s);
  }
  putchar('\n');
}

typedef __wasi_errno_t (*sizes_fn)(__wasi_size_t *, __wasi_size_t *);
typedef __wasi_errno_t (*get_fn)(uint8_t **, uint8_t *);

/* Fetches one string list (args or environ) through the raw calls and
 * checks its shape. Returns the pointer array; *count receives its length. */
static uint8_t **fetch(sizes_fn sizes, get_fn get, __wasi_size_t *count) {
  __wasi_size_t n = 0xdeadbeef, bytes = 0xdeadbeef;
  CHECK_ERRNO(sizes(&n, &bytes), __WASI_ERRNO_SUCCESS);
  CHECK(n != 0xdeadbeef && bytes != 0xdeadbeef);
  CHECK(n < 100000 && bytes < 100u * 1024 * 1024);
  /* Every string carries at least its NUL. */
  CHECK(bytes >= n);

  /* One spare pointer slot and GUARD spare bytes, all pre-filled, to catch
   * a host that writes more than it announced. */
  uint8_t **ptrs = malloc((n + 1) * sizeof(uint8_t *));
  uint8_t *buf = malloc(bytes + GUARD);
  CHECK(ptrs && buf);
  for (__wasi_size_t i = 0; i <= n; i++) ptrs[i] = (uint8_t *)(uintptr_t)0x5a5a5a5a;
  memset(buf, GUARD_BYTE, bytes + GUARD);

  CHECK_ERRNO(get(ptrs, buf), __WASI_ERRNO_SUCCESS);
  CHECK(ptrs[n] == (uint8_t *)(uintptr_t)0x5a5a5a5a);
  for (uint32_t g = 0; g < GUARD; g++) CHECK(buf[bytes + g] == GUARD_BYTE);

  /* Each string lies wholly inside the buffer, and together the strings
   * account for exactly the announced byte count. */
  size_t total = 0;
  for (__wasi_size_t i = 0; i < n; i++) {
    CHECK(ptrs[i] >= buf && ptrs[i] < buf + bytes);
    size_t room = (size_t)(buf + bytes - ptrs[i]);
    size_t len = strnlen((const char *)ptrs[i], room);
    CHECK(len < room);
    total += len + 1;
  }
  CHECK(total == bytes);

  /* A second call reports the same sizes: the lists are fixed for the run. */
  __wasi_size_t n2 = 0, bytes2 = 0;
  CHECK_ERRNO(sizes(&n2, &bytes2), __WASI_ERRNO_SUCCESS);
  CHECK(n2 == n && bytes2 == bytes);

  *count = n;
  return ptrs;
}

int main(int argc, char **argv) {
  __wasi_size_t nargs = 0;
  uint8_t **args = fetch(__wasi_args_sizes_get, __wasi_args_get, &nargs);
  /* argv[0] is always there: the host passes the program name. */
  CHECK(nargs >= 1);
  CHECK((int)nargs == argc);
  for (int i = 0; i < argc; i++) CHECK(strcmp((const char *)args[i], argv[i]) == 0);
  printf("argc %u\n", (unsigned)nargs);
  for (__wasi_size_t i = 0; i < nargs; i++) print_escaped("arg", i, args[i]);
  OK("args");

  __wasi_size_t nenv = 0;
  uint8_t **env = fetch(__wasi_environ_sizes_get, __wasi_environ_get, &nenv);
  printf("envc %u\n", (unsigned)nenv);
  for (__wasi_size_t i = 0; i < nenv; i++) {
    const char *s = (const char *)env[i];
    /* Each entry is KEY=VALUE with a non-empty key; the value may itself
     * contain '=' and getenv must return everything after the first one. */
    const char *eq = strchr(s, '=');
    CHECK(eq != NULL && eq != s);
    char key[256];
    size_t klen = (size_t)(eq - s);
    if (klen < sizeof key) {
      memcpy(key, s, klen);
      key[klen] = 0;
      const char *v = getenv(key);
      CHECK(v != NULL);
      CHECK(strcmp(v, eq + 1) == 0);
    }
    print_escaped("env", i, env[i]);
  }
  OK("environ");
  return 0;
}
