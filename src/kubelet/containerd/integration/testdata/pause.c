/* A minimal pause process for the containerd integration test (kcpp's real
 * pause image is built in images/): PID 1 of a pod sandbox, it sleeps until
 * SIGTERM or SIGINT and reaps any child re-parented to it. */
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

static void quit(int sig) { (void)sig; _exit(0); }
static void reap(int sig) {
  (void)sig;
  while (waitpid(-1, 0, WNOHANG) > 0) {}
}

int main(void) {
  signal(SIGTERM, quit);
  signal(SIGINT, quit);
  signal(SIGCHLD, reap);
  for (;;) pause();
}
