/* args_sizes_get, args_get, environ_sizes_get and environ_get with many
 * arguments and variables, empty ones, ones with spaces, `=` and non-ASCII
 * text: the sizes agree with the strings, every string is NUL terminated
 * inside the buffer, the pointers are in order, and the contents arrive
 * exactly as given. The program prints every argument after argv[0] (whose
 * text is the runner's module path) and every variable, sorted, so the
 * expected stdout does not depend on the order a runner passes them in. */
#include "spec.h"

static int by_string(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Checks that `count` strings at `ptrs` lie end to end in `buf` of `size`
 * bytes, each NUL terminated. */
static void check_layout(char **ptrs, size_t count, char *buf, size_t size) {
  char *next = buf;
  for (size_t i = 0; i < count; i++) {
    EXPECT(ptrs[i] == next);
    size_t len = strnlen(ptrs[i], size - (size_t)(ptrs[i] - buf));
    EXPECT(ptrs[i] + len < buf + size);
    next = ptrs[i] + len + 1;
  }
  EXPECT(next == buf + size);
}

int main(void) {
  __wasi_size_t argc = 0, argv_size = 0, envc = 0, env_size = 0;

  section("args");
  MUST(__wasi_args_sizes_get(&argc, &argv_size));
  EXPECT(argc >= 1);
  char **argv = calloc(argc + 1, sizeof *argv);
  char *argv_buf = malloc(argv_size + 1);
  argv_buf[argv_size] = '#';
  MUST(__wasi_args_get((uint8_t **)argv, (uint8_t *)argv_buf));
  EXPECT(argv_buf[argv_size] == '#');
  check_layout(argv, argc, argv_buf, argv_size);
  EXPECT(strlen(argv[0]) > 0);

  section("environ");
  MUST(__wasi_environ_sizes_get(&envc, &env_size));
  char **env = calloc(envc + 1, sizeof *env);
  char *env_buf = malloc(env_size + 1);
  env_buf[env_size] = '#';
  MUST(__wasi_environ_get((uint8_t **)env, (uint8_t *)env_buf));
  EXPECT(env_buf[env_size] == '#');
  check_layout(env, envc, env_buf, env_size);
  /* Every entry is NAME=VALUE with a non-empty name. */
  for (size_t i = 0; i < envc; i++) EXPECT(strchr(env[i], '=') > env[i]);
  /* libc's view agrees with the raw one. */
  for (size_t i = 0; i < envc; i++) {
    char name[64];
    size_t len = (size_t)(strchr(env[i], '=') - env[i]);
    if (len >= sizeof name) continue;
    memcpy(name, env[i], len);
    name[len] = 0;
    const char *value = getenv(name);
    EXPECT(value && strcmp(value, env[i] + len + 1) == 0);
  }
  spec_end_section();

  printf("argc %u\n", (unsigned)argc);
  for (size_t i = 1; i < argc; i++) printf("arg %zu [%s]\n", i, argv[i]);
  qsort(env, envc, sizeof *env, by_string);
  printf("envc %u\n", (unsigned)envc);
  for (size_t i = 0; i < envc; i++) printf("env [%s]\n", env[i]);
  return finish();
}
