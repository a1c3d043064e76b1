#include "ui/browser/ReaderProcess.h"

#include "ui/browser/ReaderProtocol.h"
#include "core/util/ChildExit.h"
#include "core/util/Programs.h"

#include <QFile>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

extern char** environ;

namespace acquila::ui::browser {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {
std::atomic<qint64> gStallMs{15000};

/** How long a killed reader may take to be reaped before it is left as a zombie for later. */
constexpr auto kReapWait = 2s;

int remainingMs(Clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    return int(std::clamp<qint64>(left, 0, 20));
}
}  // namespace

// The reader's pid, the app's end of its socket pair, and how it ended.
struct ReaderChild {
    pid_t pid = -1;
    int fd = -1;
    int status = 0;
    bool reaped = false;

    /** Waits up to `wait` for the process to end; true once it is reaped. */
    bool reap(std::chrono::milliseconds wait) {
        if (reaped || pid <= 0) return true;
        return reaped = util::reapChild(pid, wait, &status);
    }
};

namespace {
// Readers that were killed but not yet reaped (stuck in the kernel); retried at each start.
std::vector<ReaderChild> gUnreaped;  // loader thread only
}  // namespace

ReaderProcess::ReaderProcess() = default;

ReaderProcess::~ReaderProcess() { stop(); }

std::chrono::milliseconds ReaderProcess::stallTimeout() { return std::chrono::milliseconds(gStallMs.load()); }

void ReaderProcess::setStallTimeout(std::chrono::milliseconds timeout) { gStallMs.store(timeout.count()); }

QString ReaderProcess::executable() {
    return util::helperProgram(QStringLiteral("acquila-reader"), "ACQUILA_READER");
}

qint64 ReaderProcess::pid() const { return child_ && !child_->reaped ? child_->pid : 0; }

void ReaderProcess::stop() {
    if (!child_) return;
    if (child_->fd >= 0) ::close(child_->fd);  // the reader exits at the end of its input
    child_->fd = -1;
    if (!child_->reap(200ms)) {
        ::kill(child_->pid, SIGKILL);
        if (!child_->reap(kReapWait)) gUnreaped.push_back(*child_);
    }
    child_.reset();
    buffer_.clear();
}

util::Result<bool> ReaderProcess::ensureStarted() {
    if (child_) {
        if (!child_->reaped && ::waitpid(child_->pid, &child_->status, WNOHANG) == 0) return true;
        stop();
    }
    std::erase_if(gUnreaped, [](ReaderChild& c) { return c.reap(0ms); });

    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
        return util::Result<bool>::failure(QStringLiteral("cannot start the HDF5 reader: socketpair: %1")
                                               .arg(QString::fromLocal8Bit(std::strerror(errno))));
    const QByteArray exe = QFile::encodeName(executable());
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    char* argv[] = {const_cast<char*>(exe.constData()), const_cast<char*>("serve"), nullptr};
    pid_t pid = -1;
    const int err = ::posix_spawn(&pid, exe.constData(), &actions, nullptr, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(fds[1]);
    if (err != 0) {
        ::close(fds[0]);
        return util::Result<bool>::failure(QStringLiteral("cannot start the HDF5 reader '%1': %2")
                                               .arg(executable(), QString::fromLocal8Bit(std::strerror(err))));
    }
    ::fcntl(fds[0], F_SETFL, ::fcntl(fds[0], F_GETFL) | O_NONBLOCK);
    child_ = std::make_unique<ReaderChild>();
    child_->pid = pid;
    child_->fd = fds[0];
    ++starts_;
    return true;
}

QString ReaderProcess::ended() {
    if (!child_->reap(1s)) return QStringLiteral("the HDF5 reader closed its connection");
    return QStringLiteral("the HDF5 reader ") + util::describeExit(child_->status);
}

util::Result<QByteArray> ReaderProcess::call(const QByteArray& request, const QString& what,
                                             const CancelCheck& cancelled) {
    using R = util::Result<QByteArray>;
    if (auto started = ensureStarted(); !started) return R::failure(QStringLiteral("%1: %2").arg(what, started.error()));
    const auto stall = stallTimeout();
    auto deadline = Clock::now() + stall;
    const auto fail = [&](const QString& why, bool kill) {
        if (kill && child_ && !child_->reaped) ::kill(child_->pid, SIGKILL);
        QString message = QStringLiteral("%1: %2").arg(what, why);
        stop();
        spdlog::warn("{}", message.toStdString());
        return R::failure(message);
    };

    // Send the request (small; the socket buffer takes it at once unless the reader is stuck).
    const QByteArray out = reader::frame(request);
    qsizetype sent = 0;
    while (sent < out.size()) {
        const ssize_t n = ::send(child_->fd, out.constData() + sent, size_t(out.size() - sent), MSG_NOSIGNAL);
        if (n > 0) {
            sent += n;
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno != EAGAIN) return fail(ended(), true);
        if (Clock::now() >= deadline)
            return fail(QStringLiteral("the HDF5 reader took no request for %1 s; it was stopped")
                            .arg(stall.count() / 1000.0), true);
        pollfd p{child_->fd, POLLOUT, 0};
        ::poll(&p, 1, remainingMs(deadline));
    }

    bool cancelSent = false;
    for (;;) {
        QString frameError;
        while (auto body = reader::takeFrame(buffer_, &frameError)) {
            if (body->isEmpty()) return fail(QStringLiteral("the HDF5 reader sent an empty frame; it was stopped"), true);
            if (reader::Answer(quint8(body->at(0))) == reader::Answer::Progress) {
                deadline = Clock::now() + stall;
                continue;
            }
            if (reader::Answer(quint8(body->at(0))) != reader::Answer::Reply)
                return fail(QStringLiteral("the HDF5 reader sent an unknown answer; it was stopped"), true);
            return R(body->mid(1));
        }
        if (!frameError.isEmpty())
            return fail(QStringLiteral("the HDF5 reader sent %1; it was stopped").arg(frameError), true);
        if (!cancelSent && cancelled && cancelled()) {
            ::kill(child_->pid, SIGUSR1);  // the read stops at its next block and replies
            cancelSent = true;
        }
        if (Clock::now() >= deadline)
            return fail(QStringLiteral("the HDF5 reader gave no answer for %1 s (libhdf5 may be stuck on a "
                                       "damaged part of the file); it was stopped")
                            .arg(stall.count() / 1000.0),
                        true);
        pollfd p{child_->fd, POLLIN, 0};
        if (::poll(&p, 1, remainingMs(deadline)) <= 0) continue;
        char chunk[1 << 16];
        const ssize_t n = ::recv(child_->fd, chunk, sizeof chunk, 0);
        if (n > 0) {
            buffer_.append(chunk, qsizetype(n));
            continue;
        }
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        return fail(ended(), true);
    }
}

}  // namespace acquila::ui::browser
