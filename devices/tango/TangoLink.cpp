// The one place that includes libtango (see TangoLink.h).
#include "devices/tango/TangoLink.h"

#include <tango.h>

#include <chrono>
#include <cmath>
#include <cstring>

namespace acquila::devices {
namespace {

using Clock = std::chrono::steady_clock;

/** Calls `f.template operator()<T>()` with the C++ type libtango extracts attributes of Tango type `type` as; false when not a number. */
template <typename F>
bool withType(int type, F&& f) {
    switch (type) {
        case Tango::DEV_DOUBLE: f.template operator()<Tango::DevDouble>(); return true;
        case Tango::DEV_FLOAT: f.template operator()<Tango::DevFloat>(); return true;
        case Tango::DEV_SHORT:
        case Tango::DEV_ENUM: f.template operator()<Tango::DevShort>(); return true;
        case Tango::DEV_USHORT: f.template operator()<Tango::DevUShort>(); return true;
        case Tango::DEV_LONG: f.template operator()<Tango::DevLong>(); return true;
        case Tango::DEV_ULONG: f.template operator()<Tango::DevULong>(); return true;
        case Tango::DEV_LONG64: f.template operator()<Tango::DevLong64>(); return true;
        case Tango::DEV_ULONG64: f.template operator()<Tango::DevULong64>(); return true;
        case Tango::DEV_UCHAR: f.template operator()<Tango::DevUChar>(); return true;
        case Tango::DEV_BOOLEAN: f.template operator()<bool>(); return true;
        default: return false;
    }
}

/** How Acquila stores values of C++ type T: the same width where a DType has it, DevShort widened, DevULong64 as a double. */
template <typename T>
model::DType dtypeOf() {
    if constexpr (std::is_same_v<T, double> || std::is_same_v<T, Tango::DevULong64>) return model::DType::Float64;
    else if constexpr (std::is_same_v<T, float>) return model::DType::Float32;
    else if constexpr (std::is_same_v<T, Tango::DevLong64>) return model::DType::Int64;
    else if constexpr (std::is_same_v<T, Tango::DevShort> || std::is_same_v<T, Tango::DevLong>) return model::DType::Int32;
    else if constexpr (std::is_same_v<T, Tango::DevULong>) return model::DType::UInt32;
    else if constexpr (std::is_same_v<T, Tango::DevUShort>) return model::DType::UInt16;
    else return model::DType::UInt8;  // DevUChar, bool
}

/** The stored form of T (dtypeOf). */
template <typename T>
using StoredAs = std::conditional_t<std::is_same_v<T, Tango::DevULong64>, double,
                 std::conditional_t<std::is_same_v<T, Tango::DevShort>, qint32,
                 std::conditional_t<std::is_same_v<T, bool>, quint8, T>>>;

/** "Not specified" (or nothing) is no limit. */
double limit(const std::string& text, double none) {
    bool ok = false;
    const double v = QString::fromStdString(text).trimmed().toDouble(&ok);
    return ok && std::isfinite(v) ? v : none;
}

/** Every DevError of a DevFailed, the innermost (the cause) first: "description (reason)" on one line; repeats left out. */
QString describeErrors(const Tango::DevErrorList& errors) {
    QStringList parts;
    for (CORBA::ULong i = 0; i < errors.length(); ++i) {
        const QString part = QStringLiteral("%1 (%2)").arg(QString::fromUtf8(errors[i].desc.in()).simplified(), QString::fromUtf8(errors[i].reason.in()));
        if (!parts.contains(part)) parts << part;
    }
    return parts.isEmpty() ? QStringLiteral("unknown Tango error") : parts.join(QLatin1String("; "));
}

/** One read attribute, checked and converted to its stored type. */
void convert(const TangoAttributeInfo& info, Tango::DeviceAttribute& da, TangoReading* out) {
    if (da.has_failed()) {
        const Tango::DevErrorList& errors = da.get_err_stack();
        throw Tango::DevFailed(errors);
    }
    if (da.get_quality() == Tango::ATTR_INVALID)
        throw DeviceError(QStringLiteral("the server reports the value INVALID (no value)").toStdString());
    const int64_t x = da.get_dim_x(), y = da.get_dim_y();
    switch (info.format) {
        case TangoAttributeInfo::Format::Scalar: out->shape.clear(); break;
        case TangoAttributeInfo::Format::Spectrum: out->shape = {x}; break;
        case TangoAttributeInfo::Format::Image: out->shape = {y, x}; break;
    }
    const bool known = withType(da.get_type(), [&]<typename T>() {
        std::vector<T> values;
        da.extract_read(values);
        using S = StoredAs<T>;
        out->data.resize(qsizetype(values.size() * sizeof(S)));
        S* dst = reinterpret_cast<S*>(out->data.data());
        for (size_t i = 0; i < values.size(); ++i) dst[i] = S(values[i]);
    });
    if (!known) throw DeviceError(QStringLiteral("the server sent a %1, not a number").arg(QString::fromLatin1(Tango::CmdArgTypeName[da.get_type()])).toStdString());
}

}  // namespace

TangoLink::TangoLink(QString owner, QString device, double timeoutS) : owner_(std::move(owner)), device_(std::move(device)), timeoutS_(timeoutS) {}

TangoLink::~TangoLink() = default;

Tango::DeviceProxy& TangoLink::proxy() {
    if (!proxy_) {
        std::string name = device_.toStdString();  // libtango takes names by non-const reference
        proxy_ = std::make_unique<Tango::DeviceProxy>(name);
        proxy_->set_timeout_millis(int(std::clamp(timeoutS_ * 1000, 1.0, 1e9)));
    }
    return *proxy_;
}

void TangoLink::setTimeoutS(double s) {
    if (s == timeoutS_) return;
    timeoutS_ = s;
    if (proxy_) proxy_->set_timeout_millis(int(std::clamp(timeoutS_ * 1000, 1.0, 1e9)));
}

void TangoLink::fail(const QString& what) {
    QString error;
    bool lost = false;
    try {
        throw;
    } catch (const Tango::ConnectionFailed& e) {
        lost = true;
        error = describeErrors(e.errors);
    } catch (const Tango::CommunicationFailed& e) {
        lost = true;
        error = describeErrors(e.errors);
    } catch (const Tango::DevFailed& e) {
        error = describeErrors(e.errors);
    } catch (const CORBA::Exception& e) {
        lost = true;
        error = QString::fromLatin1(e._name());
    } catch (const std::exception& e) {
        error = QString::fromUtf8(e.what());
    }
    if (lost) proxy_.reset();  // the next exchange connects again
    throw DeviceError(QStringLiteral("%1: %2 (%3): %4").arg(owner_, what, device_, error).toStdString());
}

template <typename Reply>
Checkpoint TangoLink::await(long id, const QString& what, const CancelToken& token, Reply&& reply) {
    // The client timeout normally ends a request the server does not answer; this bound is
    // for a reply that never comes at all (it would otherwise be polled for ever).
    const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(timeoutS_ + 0.5));
    Tango::DeviceProxy* p = proxy_.get();
    const auto cancel = [p, id] {
        try {
            p->cancel_asynch_request(id);
        } catch (...) {  // already answered or unknown: nothing left to cancel
        }
    };
    for (;;) {
        try {
            reply(id, 10L);  // waits up to 10 ms
            return Checkpoint::Continue;
        } catch (const Tango::AsynReplyNotArrived&) {
        }
        if (const Checkpoint c = token.check(); c != Checkpoint::Continue) {
            cancel();
            return c;
        }
        if (Clock::now() > deadline) {
            cancel();
            proxy_.reset();
            throw DeviceError(QStringLiteral("%1: %2 (%3): no reply within %4 s").arg(owner_, what, device_).arg(timeoutS_).toStdString());
        }
    }
}

void TangoLink::connect() {
    try {
        proxy().ping();
    } catch (const DeviceError&) {
        throw;
    } catch (...) {
        fail(QStringLiteral("cannot connect"));
    }
}

TangoAttributeInfo TangoLink::attributeInfo(const QString& attribute) {
    const QString what = QStringLiteral("attribute '%1'").arg(attribute);
    try {
        const Tango::AttributeInfoEx c = proxy().attribute_query(attribute.toStdString());
        TangoAttributeInfo info;
        info.name = attribute;
        info.label = QString::fromStdString(c.label);
        info.unit = QString::fromStdString(c.unit);
        if (info.unit == QLatin1String("No unit")) info.unit.clear();
        info.tangoType = c.data_type;
        info.typeName = QString::fromLatin1(Tango::CmdArgTypeName[c.data_type]);
        info.format = c.data_format == Tango::SPECTRUM ? TangoAttributeInfo::Format::Spectrum
                      : c.data_format == Tango::IMAGE  ? TangoAttributeInfo::Format::Image
                                                       : TangoAttributeInfo::Format::Scalar;
        info.readable = c.writable != Tango::WRITE;
        // READ_WITH_WRITE is written through another attribute (writable_attr_name): read-only here.
        info.writable = c.writable == Tango::WRITE || c.writable == Tango::READ_WRITE;
        info.min = limit(c.min_value, -std::numeric_limits<double>::infinity());
        info.max = limit(c.max_value, std::numeric_limits<double>::infinity());
        info.maxDimX = c.max_dim_x;
        info.maxDimY = c.max_dim_y;
        info.numeric = withType(c.data_type, [&]<typename T>() {
            info.dtype = dtypeOf<T>();
            info.boolean = std::is_same_v<T, bool>;
            info.integral = std::is_integral_v<T> && !std::is_same_v<T, Tango::DevULong64>;
            if (info.integral) {  // a value the type cannot hold is out of range
                info.min = std::max(info.min, double(std::numeric_limits<T>::lowest()));
                info.max = std::min(info.max, double(std::numeric_limits<T>::max()));
            }
        });
        return info;
    } catch (const DeviceError&) {
        throw;
    } catch (...) {
        fail(what);
    }
}

Checkpoint TangoLink::read(const std::vector<const TangoAttributeInfo*>& infos, std::vector<TangoReading>* out, const CancelToken& token) {
    QStringList names;
    std::vector<std::string> attributes;
    for (const TangoAttributeInfo* info : infos) {
        names << QLatin1Char('\'') + info->name + QLatin1Char('\'');
        attributes.push_back(info->name.toStdString());
    }
    QString what = QStringLiteral("reading %1").arg(names.join(QLatin1String(", ")));
    try {
        const long id = proxy().read_attributes_asynch(attributes);
        std::unique_ptr<std::vector<Tango::DeviceAttribute>> replies;
        if (const Checkpoint c = await(id, what, token, [&](long i, long ms) { replies.reset(proxy_->read_attributes_reply(i, ms)); });
            c != Checkpoint::Continue)
            return c;
        if (!replies || replies->size() != infos.size())
            throw DeviceError(QStringLiteral("%1: %2 (%3): the server sent %4 values").arg(owner_, what, device_).arg(replies ? replies->size() : 0).toStdString());
        out->resize(infos.size());
        for (size_t i = 0; i < infos.size(); ++i) {
            what = QStringLiteral("reading '%1'").arg(infos[i]->name);
            convert(*infos[i], (*replies)[i], &(*out)[i]);
        }
        return Checkpoint::Continue;
    } catch (const DeviceError& e) {
        if (QString::fromUtf8(e.what()).startsWith(owner_ + QLatin1Char(':'))) throw;
        throw DeviceError(QStringLiteral("%1: %2 (%3): %4").arg(owner_, what, device_, QString::fromUtf8(e.what())).toStdString());
    } catch (...) {
        fail(what);
    }
}

Checkpoint TangoLink::readNumber(const TangoAttributeInfo& info, bool setpoint, double* value, const CancelToken& token) {
    const QString what = QStringLiteral("reading '%1'").arg(info.name);
    try {
        std::string attribute = info.name.toStdString();
        const long id = proxy().read_attribute_asynch(attribute);
        std::unique_ptr<Tango::DeviceAttribute> da;
        if (const Checkpoint c = await(id, what, token, [&](long i, long ms) { da.reset(proxy_->read_attribute_reply(i, ms)); }); c != Checkpoint::Continue)
            return c;
        if (da->has_failed()) throw Tango::DevFailed(da->get_err_stack());
        bool got = false;
        const bool known = withType(da->get_type(), [&]<typename T>() {
            std::vector<T> values;
            if (setpoint) da->extract_set(values);
            else da->extract_read(values);
            if (!values.empty()) *value = double(values.front()), got = true;
        });
        if (!known || !got)
            throw DeviceError(QStringLiteral("%1: %2 (%3): the server sent no %4number (a %5%6)")
                                  .arg(owner_, what, device_, setpoint ? QStringLiteral("set ") : QString(), info.typeName,
                                       da->get_quality() == Tango::ATTR_INVALID ? QStringLiteral(", quality INVALID") : QString())
                                  .toStdString());
        return Checkpoint::Continue;
    } catch (const DeviceError&) {
        throw;
    } catch (...) {
        fail(what);
    }
}

Checkpoint TangoLink::write(const TangoAttributeInfo& info, double value, const CancelToken& token) {
    const QString what = QStringLiteral("writing %1 to '%2'").arg(value).arg(info.name);
    try {
        Tango::DeviceAttribute da;
        std::string attribute = info.name.toStdString();
        da.set_name(attribute);
        if (!withType(info.tangoType, [&]<typename T>() { da << T(value); }))
            throw DeviceError(QStringLiteral("%1: %2 (%3): a %4 is not a number").arg(owner_, what, device_, info.typeName).toStdString());
        const long id = proxy().write_attribute_asynch(da);
        return await(id, what, token, [&](long i, long ms) { proxy_->write_attribute_reply(i, ms); });
    } catch (const DeviceError&) {
        throw;
    } catch (...) {
        fail(what);
    }
}

Checkpoint TangoLink::state(QString* state, const CancelToken& token) {
    const QString what = QStringLiteral("reading its state");
    try {
        const long id = proxy().command_inout_asynch("State");
        Tango::DeviceData data;
        if (const Checkpoint c = await(id, what, token, [&](long i, long ms) { data = proxy_->command_inout_reply(i, ms); }); c != Checkpoint::Continue)
            return c;
        Tango::DevState s = Tango::UNKNOWN;
        data >> s;
        *state = QString::fromLatin1(Tango::DevStateName[s]);
        return Checkpoint::Continue;
    } catch (const DeviceError&) {
        throw;
    } catch (...) {
        fail(what);
    }
}

QString TangoLink::status() {
    try {
        return QString::fromStdString(proxy().status()).trimmed();
    } catch (...) {
        return {};
    }
}

}  // namespace acquila::devices
