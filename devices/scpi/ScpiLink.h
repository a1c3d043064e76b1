#pragma once
#include "devices/Device.h"

#include <QByteArray>
#include <QString>
#include <chrono>
#include <memory>

class QIODevice;

namespace acquila::devices {

/** How to reach a SCPI instrument: a TCP socket or a serial port, and how lines end. */
struct ScpiLinkConfig {
    QString transport = QStringLiteral("tcp");  // "tcp" or "serial"
    QString host;                               // tcp
    int port = 5025;                            // tcp
    QString device;                             // serial: /dev/ttyUSB0, a pseudo-terminal...
    qint32 baud = 9600;                         // serial
    QString parity = QStringLiteral("none");    // serial: none, even, odd
    int stopBits = 1;                           // serial: 1 or 2
    QString flow = QStringLiteral("none");      // serial: none, hardware, software
    QByteArray writeTermination = "\n";         // sent after every command
    QByteArray readTermination = "\n";          // ends every reply
    double connectTimeoutS = 3;
    double replyTimeoutS = 2;
    qint64 maxReplyBytes = 1 << 20;             // a longer reply without its termination is garbage
};

/**
 * One connection to a SCPI instrument over TCP (QTcpSocket) or a serial port (QSerialPort),
 * used by one device on the worker's executor thread. Every wait is sliced into 10 ms
 * pieces that check the cancel token: an abort or the operation's deadline ends it within
 * about 10 ms, returned as the checkpoint. Everything else that goes wrong (refused or
 * unreachable, no reply within replyTimeoutS, connection dropped or serial line hung up, a
 * reply that is not a line of text) throws DeviceError naming the device, the instrument's
 * address and the command.
 *
 * A command and its reply stay paired: an exchange that fails or is interrupted closes the
 * link (a late reply then goes to a closed connection, never to the next question), and
 * input nobody asked for is discarded before each command.
 */
class ScpiLink {
public:
    /** `owner` names the device in messages. Does not connect. */
    ScpiLink(QString owner, ScpiLinkConfig config);
    ~ScpiLink();
    ScpiLink(const ScpiLink&) = delete;
    ScpiLink& operator=(const ScpiLink&) = delete;

    /** Connects (again, after close() or a dropped connection). */
    Checkpoint open(const CancelToken& token);
    /**
     * Connects unless connected: after close(), a failed exchange, or a connection the
     * instrument closed (or a serial line that hung up) since the last exchange, which it
     * notices without waiting. Nothing was in flight then, so nothing is lost by reconnecting.
     * `*reconnected` says whether it made a new connection.
     */
    Checkpoint ensureOpen(const CancelToken& token, bool* reconnected = nullptr);
    void close();
    /** Connected, as far as is known without reading (ensureOpen() looks). */
    bool isOpen() const;

    /** Sends one command line. A failure closes the link. */
    Checkpoint write(const QString& command, const CancelToken& token);
    /**
     * Sends `command` and reads one reply line (without its termination) into `*reply`. An
     * exchange that fails or is interrupted by the token closes the link (its reply may
     * arrive later); ensureOpen() before the next one.
     */
    Checkpoint query(const QString& command, QString* reply, const CancelToken& token);

    /**
     * Sends `query`, whose answer is known to be `expected` (*IDN? and the identity), and
     * discards every line before that answer (logged): a serial line has no new connection to
     * leave a late reply behind on, so after reconnecting one that failed, this pairs
     * questions and answers again. Bounded by one reply timeout; a failure closes the link.
     */
    Checkpoint resync(const QString& query, const QString& expected, const CancelToken& token);

    /** "127.0.0.1:5025" or the serial device: where the instrument is, for messages. */
    QString address() const;
    bool serial() const;

private:
    [[noreturn]] void fail(const QString& what) const;
    Checkpoint writeLine(const QString& command, const CancelToken& token);
    Checkpoint readLine(const QString& command, QString* reply, const CancelToken& token);
    /** One line without its termination, whatever its bytes, by `deadline`. */
    Checkpoint readRaw(const QString& command, QByteArray* line, std::chrono::steady_clock::time_point deadline, const CancelToken& token);
    /** A reply line as text (a trailing \r dropped), or a null string when it is not text. */
    static QString toText(const QByteArray& line);
    /** Reads what has arrived without waiting (which also notices a closed connection). */
    void poll();
    /** "connection closed by the instrument" or "the serial line hung up ...". */
    QString closedText() const;

    QString owner_;
    ScpiLinkConfig config_;
    std::unique_ptr<QIODevice> io_;
    QByteArray pending_;  // bytes received after the last reply line
};

}  // namespace acquila::devices
