#include "core/util/ChildExit.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <poll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

namespace acquila::util {

bool reapChild(pid_t pid, std::chrono::milliseconds timeout, int* status) {
    using Clock = std::chrono::steady_clock;
    const auto deadline = Clock::now() + timeout;
    const int pidfd = int(::syscall(SYS_pidfd_open, pid, 0));
    bool ended = false;
    for (;;) {
        const pid_t r = ::waitpid(pid, status, WNOHANG);
        if (r == pid || (r < 0 && errno != EINTR)) {
            ended = true;
            break;
        }
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
        if (left <= 0) break;
        // The pidfd becomes readable when the process ends; without one, look again every 5 ms.
        pollfd p{pidfd, POLLIN, 0};
        ::poll(pidfd >= 0 ? &p : nullptr, pidfd >= 0 ? 1 : 0, int(std::min<long long>(left, pidfd >= 0 ? left : 5)));
    }
    if (pidfd >= 0) ::close(pidfd);
    return ended;
}

QString describeExit(int status) {
    if (WIFSIGNALED(status))
        return QStringLiteral("was killed by signal %1 (%2)").arg(WTERMSIG(status)).arg(QString::fromLocal8Bit(::strsignal(WTERMSIG(status))));
    return QStringLiteral("exited with code %1").arg(WEXITSTATUS(status));
}

}  // namespace acquila::util
