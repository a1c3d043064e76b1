#include "ui/browser/ReaderMain.h"

#include "ui/browser/H5Loader.h"
#include "ui/browser/ReaderProtocol.h"

#include <QString>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <errno.h>
#include <unistd.h>

namespace acquila::ui::browser {
namespace {

using namespace reader;
using Clock = std::chrono::steady_clock;

std::atomic<bool> gCancel{false};
static_assert(std::atomic<bool>::is_always_lock_free);

void onCancel(int) { gCancel.store(true); }

bool writeAll(int fd, const QByteArray& bytes) {
    const char* p = bytes.constData();
    qsizetype left = bytes.size();
    while (left > 0) {
        const ssize_t n = ::write(fd, p, size_t(left));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        p += n;
        left -= n;
    }
    return true;
}

/** Reads one request body from `fd`; nothing at end of input or on a broken frame. */
std::optional<QByteArray> readRequest(int fd, QByteArray& buffer) {
    for (;;) {
        QString error;
        if (auto body = takeFrame(buffer, &error)) return body;
        if (!error.isEmpty()) {
            std::fprintf(stderr, "acquila-reader: %s from the app; exiting\n", qPrintable(error));
            return std::nullopt;
        }
        char chunk[65536];
        const ssize_t n = ::read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return std::nullopt;
        buffer.append(chunk, qsizetype(n));
    }
}

class Server {
public:
    explicit Server(int out) : out_(out) {}

    bool handle(const QByteArray& request) {
        QDataStream in(request);
        in.setVersion(QDataStream::Qt_6_0);
        quint8 tag = 0;
        in >> tag;
        gCancel.store(false);  // a cancel sent for the previous request has been delivered by now
        lastProgress_ = Clock::now();
        switch (Op(tag)) {
        case Op::Open: {
            QString file;
            in >> file;
            return reply(loader_.open(file));
        }
        case Op::Children: {
            QString path;
            qint64 start = 0, count = 0;
            in >> path >> start >> count;
            return reply(loader_.children(path, start, count));
        }
        case Op::Details: {
            QString path;
            quint64 generation = 0;
            in >> path >> generation;
            return reply(loader_.details(path, generation));
        }
        case Op::Preview: {
            PreviewRequest r;
            in >> r;
            return reply(loader_.preview(r, [this] { return cancelled(); }));
        }
        case Op::Refresh: {
            QString path;
            quint64 generation = 0;
            in >> path >> generation;
            return reply(loader_.refresh(path, generation));
        }
        case Op::Export: {
            ExportRequest r;
            in >> r;
            return reply(loader_.exportData(r, [this] { return cancelled(); }));
        }
        }
        std::fprintf(stderr, "acquila-reader: unknown request %u; exiting\n", unsigned(tag));
        return false;
    }

private:
    template <typename T>
    bool reply(const T& value) {
        return writeAll(out_, frame(body(Answer::Reply, value)));
    }

    /** Polled between blocks of long reads: answers the cancel and tells the app we are alive. */
    bool cancelled() {
        const auto now = Clock::now();
        if (now - lastProgress_ > std::chrono::milliseconds(200)) {
            lastProgress_ = now;
            writeAll(out_, frame(body(Answer::Progress)));
        }
        return gCancel.load();
    }

    int out_;
    H5Loader loader_;
    Clock::time_point lastProgress_;
};

int serve() {
    // Replies go to the pipe that was stdout; anything else printing to stdout goes to stderr.
    const int out = ::dup(STDOUT_FILENO);
    if (out < 0 || ::dup2(STDERR_FILENO, STDOUT_FILENO) < 0) {
        std::perror("acquila-reader: dup");
        return 1;
    }
    struct sigaction sa {};
    sa.sa_handler = onCancel;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR1, &sa, nullptr);
    Server server(out);
    QByteArray buffer;
    while (auto request = readRequest(STDIN_FILENO, buffer))
        if (!server.handle(*request)) return 1;
    return 0;
}

}  // namespace

int serveReader() { return serve(); }

}  // namespace acquila::ui::browser
