#include "devices/scpi/ScpiLink.h"

#include <QHostAddress>
#include <QSerialPort>
#include <QTcpSocket>
#include <chrono>
#include <memory>
#include <mutex>
#include <netdb.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <thread>

namespace acquila::devices {

namespace {
using Clock = std::chrono::steady_clock;
/** Every wait is cut into slices this long, each followed by a look at the cancel token. */
constexpr int kSliceMs = 10;

Clock::time_point after(double seconds) {
    return Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
}

/** A name lookup on its own detached thread: it may outlive the wait (and the process) without harm. */
struct Lookup {
    std::mutex mutex;
    bool done = false;       // guarded by mutex
    QHostAddress address;    // guarded by mutex
    QString error;           // guarded by mutex
};

/**
 * Resolves `host` without Qt's lookup thread pool (Qt 6.4 crashes when a process exits while
 * one of its lookups runs) and without blocking longer than a slice between token checks.
 */
Checkpoint resolve(const QString& host, Clock::time_point deadline, const CancelToken& token, QHostAddress* out, QString* error) {
    if (out->setAddress(host)) return Checkpoint::Continue;  // a numeric address
    auto lookup = std::make_shared<Lookup>();
    std::thread([lookup, name = host.toStdString()] {
        addrinfo hints{};
        hints.ai_family = AF_UNSPEC;
        hints.ai_socktype = SOCK_STREAM;
        addrinfo* found = nullptr;
        const int rc = getaddrinfo(name.c_str(), nullptr, &hints, &found);
        std::lock_guard lock(lookup->mutex);
        if (rc != 0) lookup->error = QString::fromLocal8Bit(gai_strerror(rc));
        else lookup->address = QHostAddress(found->ai_addr);
        if (found) freeaddrinfo(found);
        lookup->done = true;
    }).detach();
    for (;;) {
        {
            std::lock_guard lock(lookup->mutex);
            if (lookup->done) {
                *out = lookup->address;
                *error = lookup->error;
                return Checkpoint::Continue;
            }
        }
        if (const Checkpoint c = token.sleepFor(std::chrono::milliseconds(2)); c != Checkpoint::Continue) return c;
        if (Clock::now() > deadline) {
            *error = QStringLiteral("no answer from the name service");
            return Checkpoint::Continue;
        }
    }
}
}  // namespace

ScpiLink::ScpiLink(QString owner, ScpiLinkConfig config) : owner_(std::move(owner)), config_(std::move(config)) {}

ScpiLink::~ScpiLink() { close(); }

QString ScpiLink::address() const {
    return config_.transport == QLatin1String("serial") ? config_.device
                                                        : QStringLiteral("%1:%2").arg(config_.host).arg(config_.port);
}

void ScpiLink::fail(const QString& what) const {
    throw DeviceError(QStringLiteral("%1: %2 (%3)").arg(owner_, what, address()).toStdString());
}

bool ScpiLink::serial() const { return config_.transport == QLatin1String("serial"); }

bool ScpiLink::isOpen() const {
    if (!io_ || !io_->isOpen()) return false;
    if (auto* socket = qobject_cast<QTcpSocket*>(io_.get())) return socket->state() == QAbstractSocket::ConnectedState;
    auto* port = static_cast<QSerialPort*>(io_.get());
    if (port->error() == QSerialPort::ResourceError) return false;  // the device went away (an adapter unplugged)
    // A line whose other end went away (a pseudo-terminal whose instrument died) reads as end
    // of file, which QSerialPort does not report: poll says it hung up.
    pollfd p{static_cast<int>(port->handle()), 0, 0};
    return ::poll(&p, 1, 0) <= 0 || (p.revents & (POLLHUP | POLLERR | POLLNVAL)) == 0;
}

QString ScpiLink::closedText() const {
    return serial() ? QStringLiteral("the serial line hung up (the instrument or its port went away)")
                    : QStringLiteral("connection closed by the instrument");
}

void ScpiLink::poll() {
    if (!io_) return;
    // With no wait this only takes what the system already has, and lets QTcpSocket see a close.
    io_->waitForReadyRead(0);
    pending_ += io_->readAll();
}

Checkpoint ScpiLink::ensureOpen(const CancelToken& token, bool* reconnected) {
    if (isOpen()) poll();
    if (reconnected) *reconnected = !isOpen();
    return isOpen() ? Checkpoint::Continue : open(token);
}

void ScpiLink::close() {
    if (io_) io_->close();
    io_.reset();
    pending_.clear();
}

Checkpoint ScpiLink::open(const CancelToken& token) {
    close();
    const auto deadline = after(config_.connectTimeoutS);
    if (config_.transport == QLatin1String("serial")) {
        auto port = std::make_unique<QSerialPort>();
        port->setPortName(config_.device);
        if (!port->open(QIODevice::ReadWrite)) fail(QStringLiteral("cannot open the serial port: %1").arg(port->errorString()));
        const bool ok =
            port->setBaudRate(config_.baud) && port->setDataBits(QSerialPort::Data8) &&
            port->setParity(config_.parity == QLatin1String("even")  ? QSerialPort::EvenParity
                            : config_.parity == QLatin1String("odd") ? QSerialPort::OddParity
                                                                     : QSerialPort::NoParity) &&
            port->setStopBits(config_.stopBits == 2 ? QSerialPort::TwoStop : QSerialPort::OneStop) &&
            port->setFlowControl(config_.flow == QLatin1String("hardware")   ? QSerialPort::HardwareControl
                                 : config_.flow == QLatin1String("software") ? QSerialPort::SoftwareControl
                                                                             : QSerialPort::NoFlowControl);
        if (!ok) fail(QStringLiteral("cannot configure the serial port: %1").arg(port->errorString()));
        port->clear(QSerialPort::Input);  // what an earlier user left unread is no reply of ours
        io_ = std::move(port);
        return Checkpoint::Continue;
    }
    QHostAddress address;
    QString lookupError;
    if (const Checkpoint c = resolve(config_.host, deadline, token, &address, &lookupError); c != Checkpoint::Continue) return c;
    if (!lookupError.isEmpty()) fail(QStringLiteral("cannot connect: host '%1' not found: %2").arg(config_.host, lookupError));
    auto socket = std::make_unique<QTcpSocket>();
    socket->connectToHost(address, quint16(config_.port));
    while (!socket->waitForConnected(kSliceMs)) {
        if (socket->state() == QAbstractSocket::UnconnectedState)
            fail(QStringLiteral("cannot connect: %1").arg(socket->errorString()));
        if (const Checkpoint c = token.check(); c != Checkpoint::Continue) return c;
        if (Clock::now() > deadline)
            fail(QStringLiteral("no connection within %1 s (is the instrument on and the address right?)").arg(config_.connectTimeoutS));
    }
    socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    io_ = std::move(socket);
    return Checkpoint::Continue;
}

Checkpoint ScpiLink::write(const QString& command, const CancelToken& token) {
    Checkpoint c = Checkpoint::Continue;
    try {
        c = writeLine(command, token);
    } catch (const DeviceError&) {
        close();
        throw;
    }
    if (c != Checkpoint::Continue) close();  // part of the line may have gone out
    return c;
}

Checkpoint ScpiLink::writeLine(const QString& command, const CancelToken& token) {
    if (!io_) fail(QStringLiteral("not connected, sending '%1'").arg(command));
    poll();
    if (!isOpen()) fail(QStringLiteral("%1, sending '%2'").arg(closedText(), command));
    // Input nobody asked for (on a serial line, a late reply to an exchange that timed out) is not this command's reply.
    if (!pending_.isEmpty()) {
        spdlog::warn("{}: discarded {} byte(s) the instrument sent unasked, before '{}' ({})", owner_.toStdString(), pending_.size(),
                     command.toStdString(), address().toStdString());
        pending_.clear();
    }
    const QByteArray line = command.toUtf8() + config_.writeTermination;
    if (io_->write(line) != line.size()) fail(QStringLiteral("cannot send '%1': %2").arg(command, io_->errorString()));
    const auto deadline = after(config_.replyTimeoutS);
    while (io_->bytesToWrite() > 0) {
        if (!io_->waitForBytesWritten(kSliceMs) && !isOpen()) fail(QStringLiteral("%1 while sending '%2'").arg(closedText(), command));
        if (const Checkpoint c = token.check(); c != Checkpoint::Continue) return c;
        if (Clock::now() > deadline) fail(QStringLiteral("'%1' not taken within %2 s").arg(command).arg(config_.replyTimeoutS));
    }
    return Checkpoint::Continue;
}

Checkpoint ScpiLink::query(const QString& command, QString* reply, const CancelToken& token) {
    Checkpoint c = write(command, token);
    // An exchange that fails or is interrupted may leave a reply on its way (an instrument that
    // answers after the timeout): reconnect rather than read it as the next question's answer.
    try {
        if (c == Checkpoint::Continue) c = readLine(command, reply, token);
    } catch (const DeviceError&) {
        close();
        throw;
    }
    if (c != Checkpoint::Continue) close();
    return c;
}

Checkpoint ScpiLink::readLine(const QString& command, QString* reply, const CancelToken& token) {
    QByteArray line;
    if (const Checkpoint c = readRaw(command, &line, after(config_.replyTimeoutS), token); c != Checkpoint::Continue) return c;
    const QString text = toText(line);
    if (text.isNull()) fail(QStringLiteral("the reply to '%1' is not text (%2 bytes)").arg(command).arg(line.size()));
    *reply = text;
    return Checkpoint::Continue;
}

QString ScpiLink::toText(const QByteArray& line) {
    QString text = QString::fromUtf8(line);
    if (text.contains(QChar::ReplacementCharacter) || line.contains('\0')) return {};
    if (text.endsWith('\r')) text.chop(1);
    return text.isNull() ? QStringLiteral("") : text;
}

Checkpoint ScpiLink::readRaw(const QString& command, QByteArray* line, std::chrono::steady_clock::time_point deadline, const CancelToken& token) {
    for (;;) {
        const qsizetype end = pending_.indexOf(config_.readTermination);
        if (end >= 0) {
            *line = pending_.left(end);
            pending_.remove(0, end + config_.readTermination.size());
            return Checkpoint::Continue;
        }
        if (pending_.size() > config_.maxReplyBytes)
            fail(QStringLiteral("the reply to '%1' has no line end in its first %2 bytes").arg(command).arg(config_.maxReplyBytes));
        if (!io_->waitForReadyRead(kSliceMs) && !isOpen()) fail(QStringLiteral("%1, waiting for the reply to '%2'").arg(closedText(), command));
        pending_ += io_->readAll();
        if (const Checkpoint c = token.check(); c != Checkpoint::Continue) return c;
        if (Clock::now() > deadline && pending_.indexOf(config_.readTermination) < 0) {
            if (pending_.isEmpty()) fail(QStringLiteral("no reply to '%1' within %2 s").arg(command).arg(config_.replyTimeoutS));
            fail(QStringLiteral("no complete reply to '%1' within %2 s (%3 bytes without a line end)").arg(command).arg(config_.replyTimeoutS).arg(pending_.size()));
        }
    }
}

Checkpoint ScpiLink::resync(const QString& query, const QString& expected, const CancelToken& token) {
    Checkpoint c = write(query, token);
    int stale = 0;
    try {
        // One deadline for the whole: stale lines arrive before the answer, they do not extend the wait.
        const auto deadline = after(config_.replyTimeoutS);
        while (c == Checkpoint::Continue) {
            QByteArray line;
            c = readRaw(query, &line, deadline, token);
            if (c == Checkpoint::Continue && toText(line) == expected) break;
            if (c == Checkpoint::Continue) ++stale;
        }
    } catch (const DeviceError&) {
        close();
        throw;
    }
    if (c != Checkpoint::Continue) close();
    if (stale > 0)
        spdlog::warn("{}: discarded {} late or stale line(s) before the answer to '{}' ({})", owner_.toStdString(), stale, query.toStdString(),
                     address().toStdString());
    return c;
}

}  // namespace acquila::devices
