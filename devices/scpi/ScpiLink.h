#pragma once
#include "devices/Device.h"

#include <QByteArray>
#include <QString>
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
 * unreachable, no reply within replyTimeoutS, connection dropped, a reply that is not a line
 * of text) throws DeviceError naming the device, the instrument's address and the command.
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
    void close();
    bool isOpen() const;

    /** Sends one command line. */
    Checkpoint write(const QString& command, const CancelToken& token);
    /**
     * Sends `command` and reads one reply line (without its termination) into `*reply`. An
     * exchange interrupted by the token closes the link (its reply would arrive later);
     * open() again before the next one.
     */
    Checkpoint query(const QString& command, QString* reply, const CancelToken& token);

    /** "127.0.0.1:5025" or the serial device: where the instrument is, for messages. */
    QString address() const;

private:
    [[noreturn]] void fail(const QString& what) const;
    Checkpoint readLine(const QString& command, QString* reply, const CancelToken& token);

    QString owner_;
    ScpiLinkConfig config_;
    std::unique_ptr<QIODevice> io_;
    QByteArray pending_;  // bytes received after the last reply line
};

}  // namespace acquila::devices
