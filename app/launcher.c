/*
 * acquila: starts acquila-app (beside this file) with SIGINT and SIGTERM blocked.
 *
 * The app links Qt and HDF5: the dynamic loader needs ~20 ms before main() can install
 * the Ctrl-C handler, and a Ctrl-C in that time would kill it with the default action.
 * This launcher is static and tiny (it is in main() within microseconds of exec); a
 * signal mask survives execve(), so a Ctrl-C during the app's loading stays pending
 * until the app has installed its handler and unblocks it (app/acquila_main.cpp).
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char** argv) {
    (void)argc;
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigprocmask(SIG_BLOCK, &block, NULL);
    char path[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", path, sizeof path - 16);
    if (n <= 0) {
        fprintf(stderr, "acquila: cannot find its own location: %s\n", strerror(errno));
        return 127;
    }
    path[n] = '\0';
    char* slash = strrchr(path, '/');
    strcpy(slash ? slash + 1 : path, "acquila-app");
    execv(path, argv);
    fprintf(stderr, "acquila: cannot start %s: %s\n", path, strerror(errno));
    return 127;
}
