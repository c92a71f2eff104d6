/* kcpp's pause: the process that holds a pod sandbox's namespaces.
 * It is PID 1 of the pod, so it must reap orphaned children (zombies would
 * otherwise pile up) and must exit promptly on SIGTERM/SIGINT (PID 1 gets no
 * default signal handlers). Built `-static -Os -s` at build time. */
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void onStop(int sig) {
  _exit(sig == SIGTERM ? 0 : 128 + sig);
}

static void onChild(int sig) {
  (void)sig;
  while (waitpid(-1, NULL, WNOHANG) > 0) {
  }
}

int main(int argc, char** argv) {
  if (argc > 1 && strcmp(argv[1], "-v") == 0) {
    static const char version[] = "kcpp pause 3.9\n";
    return write(1, version, sizeof version - 1) < 0;
  }
  if (getpid() != 1) {
    static const char warning[] = "pause: warning: not PID 1\n";
    if (write(2, warning, sizeof warning - 1) < 0) return 1;
  }
  struct sigaction stop = {.sa_handler = onStop};
  struct sigaction child = {.sa_handler = onChild, .sa_flags = SA_NOCLDSTOP | SA_RESTART};
  if (sigaction(SIGINT, &stop, NULL) < 0 || sigaction(SIGTERM, &stop, NULL) < 0 ||
      sigaction(SIGCHLD, &child, NULL) < 0)
    return 1;
  for (;;) pause();
}
