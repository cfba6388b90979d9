/* Stands in for patchelf's ../src/patchelf in its test suite: a real ELF
 * program (some tests read its interpreter) that runs `xpkgs patchelf` with
 * the same arguments. Each call is logged with the test script that made it,
 * so the suite's report can tell a test that called patchelf from one that
 * passed without calling it. NODE and MAIN are set when it is compiled. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void log_call(void) {
  const char *log = getenv("XPKGS_PATCHELF_LOG");
  if (log == NULL) return;
  char path[64], buf[4096];
  snprintf(path, sizeof path, "/proc/%d/cmdline", (int)getppid());
  FILE *f = fopen(path, "r");
  size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
  if (f) fclose(f);
  buf[n] = 0;
  /* The parent is the shell running the test: the first argument that ends in .sh names it. */
  const char *test = "?";
  for (size_t i = 0; i < n; i += strlen(buf + i) + 1) {
    size_t l = strlen(buf + i);
    if (l > 3 && strcmp(buf + i + l - 3, ".sh") == 0) { test = buf + i; break; }
  }
  const char *slash = strrchr(test, '/');
  FILE *out = fopen(log, "a");
  if (out) { fprintf(out, "%s\n", slash ? slash + 1 : test); fclose(out); }
}

int main(int argc, char **argv) {
  log_call();
  char **args = calloc((size_t)argc + 3, sizeof *args);
  if (args == NULL) return 1;
  args[0] = NODE;
  args[1] = MAIN;
  args[2] = "patchelf";
  for (int i = 1; i < argc; i++) args[i + 2] = argv[i];
  execv(NODE, args);
  perror("patchelf wrapper: exec " NODE);
  return 127;
}
