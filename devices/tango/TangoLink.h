#pragma once
#include "core/model/DType.h"
#include "devices/Device.h"

#include <QByteArray>
#include <QString>
#include <QStringList>
#include <limits>
#include <memory>
#include <vector>

namespace Tango {
class DeviceProxy;
}

namespace acquila::devices {

/** What the server says about one attribute (its configuration, AttributeInfoEx). */
struct TangoAttributeInfo {
    enum class Format : uint8_t { Scalar, Spectrum, Image };
    QString name;
    QString label;
    QString unit;
    int tangoType = 0;      // Tango::CmdArgType
    QString typeName;       // "DevDouble", "DevString"...: for messages
    Format format = Format::Scalar;
    bool numeric = false;   // a number or a boolean: what Acquila can store
    bool integral = false;  // an integer type (or a boolean)
    bool boolean = false;
    model::DType dtype = model::DType::Float64;  // how Acquila stores it (DevShort widens to Int32, DevBoolean is UInt8)
    bool readable = true;
    bool writable = false;
    double min = -std::numeric_limits<double>::infinity();  // min_value, max_value; ±inf when "Not specified"
    double max = std::numeric_limits<double>::infinity();
    int maxDimX = 1, maxDimY = 0;
};

/** One attribute as read: its dimensions (empty for a scalar; {x}; {y, x}) and its read value, stored as the info's dtype. */
struct TangoReading {
    std::vector<int64_t> shape;
    QByteArray data;
};

/**
 * A client of one Tango device (Tango::DeviceProxy), used by one device of Acquila on the
 * worker's executor thread. Only this class sees libtango: the drivers (TangoDriver.cpp) and
 * everything above them do not.
 *
 * Every exchange with the server is an asynchronous request whose reply is polled in 10 ms
 * slices that check the cancel token: an abort or the operation's deadline ends the wait
 * within about 10 ms (the request is cancelled), returned as the checkpoint. Independently,
 * the proxy's client timeout is `timeoutS`, and a reply that has not come after it is an
 * error. Everything that goes wrong throws DeviceError naming the device, the Tango device,
 * the attribute and the Tango error (each DevError's description and reason). A
 * communication failure (server gone, connection refused, timeout) drops the proxy: the next
 * exchange connects again, so a restarted server is found again.
 */
class TangoLink {
public:
    /** `owner` names the device in messages; `device` is the Tango name (with host and port, or through TANGO_HOST). Does not connect. */
    TangoLink(QString owner, QString device, double timeoutS);
    ~TangoLink();
    TangoLink(const TangoLink&) = delete;
    TangoLink& operator=(const TangoLink&) = delete;

    /** Connects unless connected and checks the device answers (a ping); throws DeviceError. */
    void connect();
    /** The attribute's configuration; throws DeviceError for an unknown attribute or a lost server. */
    TangoAttributeInfo attributeInfo(const QString& attribute);
    /** Reads several attributes in one request; `infos` give their types (from attributeInfo). */
    Checkpoint read(const std::vector<const TangoAttributeInfo*>& infos, std::vector<TangoReading>* out, const CancelToken& token);
    /** Reads a scalar attribute as a number: its read value, or with `setpoint` the value last written (w_value). */
    Checkpoint readNumber(const TangoAttributeInfo& info, bool setpoint, double* value, const CancelToken& token);
    /** Writes a scalar number to the attribute (converted to its type). */
    Checkpoint write(const TangoAttributeInfo& info, double value, const CancelToken& token);
    /** The device's state ("ON", "MOVING"...) through the State command. */
    Checkpoint state(QString* state, const CancelToken& token);
    /** The device's Status text (for messages); empty when it cannot be had. Bounded by the timeout, not cancellable. */
    QString status();

    void setTimeoutS(double s);
    /** The Tango device's name as given. */
    const QString& device() const { return device_; }

private:
    Tango::DeviceProxy& proxy();
    /** Polls an asynchronous request's reply in 10 ms slices; see the .cpp. */
    template <typename Reply>
    Checkpoint await(long id, const QString& what, const CancelToken& token, Reply&& reply);
    /** Turns any exception of libtango into a DeviceError about `what`; drops the proxy after a communication failure. */
    [[noreturn]] void fail(const QString& what);

    QString owner_;
    QString device_;
    double timeoutS_;
    std::unique_ptr<Tango::DeviceProxy> proxy_;
};

}  // namespace acquila::devices
