// "scpi": an instrument that speaks SCPI over TCP or a serial port (ScpiLink), configured
// entirely from the lab: its outputs (a query each: a detector) or its axes (set, read back,
// poll until idle: an actuator), and properties mapped to commands and queries. On open it
// asks *IDN? (kept as the read-only property "idn", so the file's device snapshot has it);
// after every command it empties the instrument's error queue (SYST:ERR?) and turns an
// error there into a DeviceError naming the command. A connection that drops or fails
// during an operation fails it; the next operation reconnects (also after a connection the
// instrument closed between operations, or an instrument restarted at the same address).
// Errors already queued when a connection is made are older than it: they are logged as a
// warning and cleared, never blamed on a command.
#include "devices/DriverKit.h"
#include "devices/scpi/ScpiLink.h"

#include <QVariantList>
#include <cmath>
#include <cstring>
#include <spdlog/spdlog.h>

namespace acquila::devices {
namespace {

ScpiLinkConfig linkConfig(const DriverParams& p) {
    ScpiLinkConfig c;
    c.transport = p.string("transport");
    c.host = p.string("host");
    c.port = int(p.integer("port"));
    c.device = p.string("device");
    c.baud = qint32(p.integer("baud"));
    c.parity = p.string("parity");
    c.stopBits = int(p.integer("stop_bits"));
    c.flow = p.string("flow");
    c.writeTermination = p.string("write_termination").toUtf8();
    c.readTermination = p.string("read_termination").toUtf8();
    c.connectTimeoutS = p.number("connect_timeout_s");
    c.replyTimeoutS = p.number("reply_timeout_s");
    return c;
}

QString withValue(const QString& command, double value) {
    return QString(command).replace(QLatin1String("{value}"), QString::number(value, 'g', 15));
}

/** What the SCPI detector and actuator share: the link, *IDN?, the error queue, mapped properties. */
template <typename Kind>
class ScpiDriver : public DriverBase<Kind> {
protected:
    explicit ScpiDriver(const model::DeviceSpec& spec) : DriverBase<Kind>(spec), link_(spec.name, linkConfig(this->params())) {
        checkErrors_ = this->params().boolean("check_errors");
        CancelToken none;  // opening is bounded by the connect and reply timeouts
        link_.open(none);
        if (checkErrors_) clearOldErrors(none);
        link_.query(QStringLiteral("*IDN?"), &idn_, none);
        if (checkErrors_) checkErrorQueue(QStringLiteral("*IDN?"), none);
        this->property(QStringLiteral("idn"), model::PropertyType::String, [this] { return idn_; }, {})
            .label(QStringLiteral("Instrument (*IDN?)")).readOnly();
        this->property(QStringLiteral("address"), model::PropertyType::String, [this] { return link_.address(); }, {})
            .label(QStringLiteral("Address")).readOnly();
        for (const QVariantMap& e : this->params().objects("properties")) {
            const QString id = e.value(QStringLiteral("id")).toString();
            const QString get = e.value(QStringLiteral("get")).toString(), set = e.value(QStringLiteral("set")).toString();
            double value = std::nan("");
            if (!get.isEmpty()) ask(get, &value, none);
            values_.insert(id, value);
            std::function<void(const QVariant&)> setter;
            if (!set.isEmpty())
                setter = [this, id, set](const QVariant& x) {
                    CancelToken token;
                    send(withValue(set, x.toDouble()), token);
                    values_.insert(id, x.toDouble());
                };
            PropertyDef def = this->property(id, model::PropertyType::Double, [this, id] { return values_.value(id); }, setter);
            def.label(id).unit(e.value(QStringLiteral("unit")).toString())
                .range(e.value(QStringLiteral("min"), -kInf).toDouble(), e.value(QStringLiteral("max"), kInf).toDouble());
            if (set.isEmpty()) def.readOnly();
        }
    }

    QString summary() const { return QStringLiteral("SCPI instrument %1 at %2").arg(idn_, link_.address()); }

    /** Sends a command, then empties the error queue: an error there is a DeviceError naming the command. */
    Checkpoint send(const QString& command, const CancelToken& token) {
        if (const Checkpoint c = reconnect(token); c != Checkpoint::Continue) return c;
        if (const Checkpoint c = link_.write(command, token); c != Checkpoint::Continue) return c;
        return checkErrors_ ? checkErrorQueue(command, token) : Checkpoint::Continue;
    }

    /** Asks a query whose reply is a number. */
    Checkpoint ask(const QString& query, double* value, const CancelToken& token) {
        QString reply;
        if (const Checkpoint c = askText(query, &reply, token); c != Checkpoint::Continue) return c;
        bool ok = false;
        *value = reply.trimmed().toDouble(&ok);
        if (!ok || !std::isfinite(*value)) {
            link_.close();  // it may be another question's answer: start the next exchange afresh
            throw DeviceError(QStringLiteral("%1: the reply to '%2' is not a number: '%3'").arg(this->name(), query, reply.left(80)).toStdString());
        }
        return Checkpoint::Continue;
    }

    Checkpoint askText(const QString& query, QString* reply, const CancelToken& token) {
        if (const Checkpoint c = reconnect(token); c != Checkpoint::Continue) return c;
        return link_.query(query, reply, token);
    }

    static constexpr double kInf = std::numeric_limits<double>::infinity();

private:
    /**
     * Connects unless connected (ScpiLink::ensureOpen). A serial line reopened may still carry
     * the late reply to an exchange that failed: *IDN? pairs questions and answers again
     * (ScpiLink::resync). A new connection starts with an empty error queue.
     */
    Checkpoint reconnect(const CancelToken& token) {
        bool reconnected = false;
        if (const Checkpoint c = link_.ensureOpen(token, &reconnected); c != Checkpoint::Continue || !reconnected) return c;
        if (link_.serial())
            if (const Checkpoint c = link_.resync(QStringLiteral("*IDN?"), idn_, token); c != Checkpoint::Continue) return c;
        return checkErrors_ ? clearOldErrors(token) : Checkpoint::Continue;
    }

    /** Reads the error queue until it says 0 (at most 32 entries, a queue holds a few dozen at most). */
    Checkpoint readErrorQueue(QStringList* errors, const CancelToken& token) {
        for (int i = 0; i < 32; ++i) {
            QString reply;
            if (const Checkpoint c = link_.query(QStringLiteral("SYST:ERR?"), &reply, token); c != Checkpoint::Continue) return c;
            bool ok = false;
            const int code = reply.section(QLatin1Char(','), 0, 0).trimmed().toInt(&ok);
            if (!ok) {
                link_.close();  // it may be another question's answer
                throw DeviceError(QStringLiteral("%1: the reply to 'SYST:ERR?' is not an error code: '%2'").arg(this->name(), reply.left(80)).toStdString());
            }
            if (code == 0) break;
            *errors << reply.trimmed();
        }
        return Checkpoint::Continue;
    }

    /** On a new connection: errors already queued belong to no command of ours (an earlier session's): logged, cleared. */
    Checkpoint clearOldErrors(const CancelToken& token) {
        QStringList errors;
        if (const Checkpoint c = readErrorQueue(&errors, token); c != Checkpoint::Continue) return c;
        if (!errors.isEmpty())
            spdlog::warn("{}: the instrument's error queue held {} error(s) from before this connection (cleared): {} ({})", this->name().toStdString(),
                         errors.size(), errors.join(QLatin1String("; ")).toStdString(), link_.address().toStdString());
        return Checkpoint::Continue;
    }

    Checkpoint checkErrorQueue(const QString& after, const CancelToken& token) {
        QStringList errors;
        if (const Checkpoint c = readErrorQueue(&errors, token); c != Checkpoint::Continue) return c;
        if (!errors.isEmpty())
            throw DeviceError(QStringLiteral("%1: the instrument reports after '%2': %3").arg(this->name(), after, errors.join(QLatin1String("; "))).toStdString());
        return Checkpoint::Continue;
    }

    ScpiLink link_;
    bool checkErrors_ = true;
    QString idn_;
    QMap<QString, double> values_;  // mapped properties: the last value read or set
};

class ScpiDetector final : public ScpiDriver<Detector> {
public:
    ScpiDetector(const model::DeviceSpec& spec, const LabContext&) : ScpiDriver(spec) {
        for (const QVariantMap& e : params().objects("outputs")) {
            outputs_.push_back({name() + QLatin1Char('.') + e.value(QStringLiteral("name")).toString(), e.value(QStringLiteral("query")).toString(),
                                e.value(QStringLiteral("unit")).toString()});
        }
    }

    void describeDevice(model::DeviceDescription& d) const override {
        d.summary = summary();
        for (const Output& o : outputs_) d.outputs.push_back({o.name, o.unit, model::DType::Float64, {}, {}});
    }

    Checkpoint read(const PointContext&, std::vector<OutputBuffer>& out, const CancelToken& token) override {
        for (size_t i = 0; i < outputs_.size(); ++i) {
            double value = 0;
            if (const Checkpoint c = ask(outputs_[i].query, &value, token); c != Checkpoint::Continue) return c;
            std::memcpy(out[i].data, &value, sizeof value);
        }
        return Checkpoint::Continue;
    }

private:
    struct Output {
        QString name, query, unit;
    };
    std::vector<Output> outputs_;
};

class ScpiActuator final : public ScpiDriver<Actuator> {
public:
    ScpiActuator(const model::DeviceSpec& spec, const LabContext&) : ScpiDriver(spec) {
        CancelToken none;
        for (const QVariantMap& e : params().objects("axes")) {
            Axis a;
            const QString n = e.value(QStringLiteral("name")).toString();
            a.decl = {n.isEmpty() ? name() : name() + QLatin1Char('.') + n, e.value(QStringLiteral("unit")).toString(),
                      e.value(QStringLiteral("min"), -kInf).toDouble(), e.value(QStringLiteral("max"), kInf).toDouble()};
            a.set = e.value(QStringLiteral("set")).toString();
            a.get = e.value(QStringLiteral("get")).toString();
            a.busy = e.value(QStringLiteral("busy")).toString();
            a.idle = e.value(QStringLiteral("idle"), QStringLiteral("0")).toString();
            a.settleS = e.value(QStringLiteral("settle_s"), 0.0).toDouble();
            a.moveTimeoutS = e.value(QStringLiteral("move_timeout_s"), 60.0).toDouble();
            if (!a.get.isEmpty()) ask(a.get, &a.position, none);
            axes_.push_back(a);
        }
    }

    void describeDevice(model::DeviceDescription& d) const override {
        d.summary = summary();
        for (const Axis& a : axes_) {
            d.axes.push_back(a.decl);
            d.positions.push_back(a.position);
        }
    }

    Checkpoint moveTo(int index, double target, const CancelToken& token) override {
        Axis& a = axis(index);
        if (target < a.decl.min || target > a.decl.max)
            throw DeviceError(QStringLiteral("%1: %2 is outside the limits [%3, %4] of %5").arg(name()).arg(target).arg(a.decl.min).arg(a.decl.max).arg(a.decl.name).toStdString());
        if (const Checkpoint c = send(withValue(a.set, target), token); c != Checkpoint::Continue) return c;
        if (!a.busy.isEmpty()) {
            const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(a.moveTimeoutS));
            for (;;) {
                QString reply;
                if (const Checkpoint c = askText(a.busy, &reply, token); c != Checkpoint::Continue) return c;
                if (reply.trimmed() == a.idle) break;
                if (std::chrono::steady_clock::now() > deadline)
                    throw DeviceError(QStringLiteral("%1: %2 still moving after %3 s ('%4' answers '%5')").arg(name(), a.decl.name).arg(a.moveTimeoutS).arg(a.busy, reply.left(40)).toStdString());
                if (const Checkpoint c = token.sleepFor(std::chrono::milliseconds(20)); c != Checkpoint::Continue) return c;
            }
        }
        if (a.settleS > 0)
            if (const Checkpoint c = token.sleepFor(std::chrono::duration<double>(a.settleS)); c != Checkpoint::Continue) return c;
        if (a.get.isEmpty()) {
            a.position = target;
            return Checkpoint::Continue;
        }
        return ask(a.get, &a.position, token);  // the position the instrument reports, not the one asked for
    }

    double position(int index) const override { return const_cast<ScpiActuator*>(this)->axis(index).position; }

private:
    struct Axis {
        model::AxisDecl decl;
        QString set, get, busy, idle;
        double settleS = 0, moveTimeoutS = 60, position = 0;
    };
    Axis& axis(int index) {
        if (index < 0 || size_t(index) >= axes_.size())
            throw DeviceError(QStringLiteral("%1: no axis %2").arg(name()).arg(index).toStdString());
        return axes_[size_t(index)];
    }
    std::vector<Axis> axes_;
};

const DriverRegistration scpiRegistration("scpi", [](const model::DeviceSpec& spec, const LabContext& ctx) -> std::unique_ptr<Device> {
    if (!spec.params.value(QStringLiteral("axes")).toList().isEmpty()) return std::make_unique<ScpiActuator>(spec, ctx);
    return std::make_unique<ScpiDetector>(spec, ctx);
});

}  // namespace
}  // namespace acquila::devices
