// "tango": a device of a Tango control system (docs/tango.md), reached through TangoLink,
// configured from the lab like "scpi": its outputs (spectrum, image or scalar attributes: a
// detector) or its axes (an attribute written, then the device's state polled until it leaves
// MOVING, then read back: an actuator), and properties mapped to scalar attributes. What each
// attribute is (type, shape, unit, label, limits) comes from the configuration the server
// reports when the device is opened; the lab only says which attributes to use (and may
// narrow the limits). An output's shape is the attribute's dimensions when the device is
// opened (the configuration gives only the maximum); a reading of another shape fails the
// point. Errors name the device, the Tango device, the attribute and the Tango error.
#include "devices/DriverKit.h"
#include "devices/tango/TangoLink.h"

#include <QVariantMap>
#include <cmath>
#include <cstring>

namespace acquila::devices {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

QString shapeText(const std::vector<int64_t>& shape) {
    QStringList dims;
    for (int64_t d : shape) dims << QString::number(d);
    return dims.isEmpty() ? QStringLiteral("a scalar") : QLatin1Char('[') + dims.join(QLatin1String(", ")) + QLatin1Char(']');
}

QString formatName(TangoAttributeInfo::Format f) {
    return f == TangoAttributeInfo::Format::Scalar ? QStringLiteral("scalar") : f == TangoAttributeInfo::Format::Spectrum ? QStringLiteral("spectrum") : QStringLiteral("image");
}

/** What the Tango detector and actuator share: the link and the mapped properties. */
template <typename Kind>
class TangoDriver : public DriverBase<Kind> {
protected:
    explicit TangoDriver(const model::DeviceSpec& spec) : DriverBase<Kind>(spec), link_(spec.name, this->params().string("device"), this->timeoutS()) {
        link_.connect();
        this->property(QStringLiteral("tango_device"), model::PropertyType::String, [this] { return link_.device(); }, {})
            .label(QStringLiteral("Tango device")).readOnly();
        CancelToken none;  // opening is bounded by the client timeout
        for (const QVariantMap& e : this->params().objects("properties")) {
            const QString attribute = e.value(QStringLiteral("attribute")).toString();
            const QString id = e.value(QStringLiteral("id"), attribute).toString();
            auto info = std::make_shared<TangoAttributeInfo>(link_.attributeInfo(attribute));
            if (!info->numeric || info->format != TangoAttributeInfo::Format::Scalar)
                throw DeviceError(QStringLiteral("%1: attribute '%2' of %3 is a %4 %5: a property is a scalar number").arg(this->name(), attribute, link_.device(), info->typeName, formatName(info->format)).toStdString());
            double value = 0;
            link_.readNumber(*info, info->writable, &value, none);  // a setting: what was written, else what is read
            values_.insert(id, typed(*info, value));
            std::function<void(const QVariant&)> setter;
            if (info->writable)
                setter = [this, id, info](const QVariant& x) {
                    CancelToken token;
                    prepare();
                    link_.write(*info, x.toDouble(), token);
                    values_.insert(id, typed(*info, x.toDouble()));
                };
            const model::PropertyType type = info->boolean ? model::PropertyType::Bool : info->integral ? model::PropertyType::Int : model::PropertyType::Double;
            PropertyDef def = this->property(id, type, [this, id] { return values_.value(id); }, setter);
            def.label(info->label.isEmpty() ? id : info->label).unit(info->unit);
            if (!info->boolean)
                def.range(std::max(info->min, e.value(QStringLiteral("min"), -kInf).toDouble()), std::min(info->max, e.value(QStringLiteral("max"), kInf).toDouble()));
            if (!info->writable) def.readOnly();
        }
    }

    QString summary() const { return QStringLiteral("Tango device %1").arg(link_.device()); }

    /** Before each operation: the plan may have changed timeout_s. */
    void prepare() { link_.setTimeoutS(this->timeoutS()); }

    static QVariant typed(const TangoAttributeInfo& info, double v) {
        if (info.boolean) return QVariant(v != 0);
        if (info.integral) return QVariant(qint64(v));
        return QVariant(v);
    }

    TangoLink link_;

private:
    QMap<QString, QVariant> values_;  // mapped properties: the last value read or set
};

class TangoDetector final : public TangoDriver<Detector> {
public:
    TangoDetector(const model::DeviceSpec& spec, const LabContext&) : TangoDriver(spec) {
        CancelToken none;
        for (const QVariantMap& e : params().objects("outputs")) {
            const QString attribute = e.value(QStringLiteral("attribute")).toString();
            Output o{link_.attributeInfo(attribute), {}};
            if (!o.info.numeric || !o.info.readable)
                throw DeviceError(QStringLiteral("%1: attribute '%2' of %3 is a %4%5: an output is a number, a spectrum or an image of numbers")
                                      .arg(name(), attribute, link_.device(), o.info.typeName, o.info.readable ? QString() : QStringLiteral(" that cannot be read"))
                                      .toStdString());
            std::vector<TangoReading> first;
            link_.read({&o.info}, &first, none);  // the shape it has now; the configuration gives only the maximum
            o.decl = {name() + QLatin1Char('.') + e.value(QStringLiteral("name"), attribute).toString(), o.info.unit, o.info.dtype, first.front().shape, {}};
            if (o.decl.shape.size() == 1) o.decl.axisLabels = {QStringLiteral("x")};
            if (o.decl.shape.size() == 2) o.decl.axisLabels = {QStringLiteral("y"), QStringLiteral("x")};
            outputs_.push_back(std::move(o));
        }
        for (const Output& o : outputs_) infos_.push_back(&o.info);
    }

    void describeDevice(model::DeviceDescription& d) const override {
        d.summary = summary();
        for (const Output& o : outputs_) d.outputs.push_back(o.decl);
    }

    Checkpoint read(const PointContext&, std::vector<OutputBuffer>& out, const CancelToken& token) override {
        prepare();
        if (const Checkpoint c = link_.read(infos_, &readings_, token); c != Checkpoint::Continue) return c;
        for (size_t i = 0; i < outputs_.size(); ++i) {
            const Output& o = outputs_[i];
            if (readings_[i].shape != o.decl.shape || readings_[i].data.size() != o.decl.bytesPerPoint())
                throw DeviceError(QStringLiteral("%1: reading '%2' (%3): the server sent %4 instead of %5")
                                      .arg(name(), o.info.name, link_.device(), shapeText(readings_[i].shape), shapeText(o.decl.shape))
                                      .toStdString());
            std::memcpy(out[i].data, readings_[i].data.constData(), size_t(readings_[i].data.size()));
        }
        return Checkpoint::Continue;
    }

private:
    struct Output {
        TangoAttributeInfo info;
        model::OutputDecl decl;
    };
    std::vector<Output> outputs_;
    std::vector<const TangoAttributeInfo*> infos_;  // into outputs_, in order: one request reads them all
    std::vector<TangoReading> readings_;
};

class TangoActuator final : public TangoDriver<Actuator> {
public:
    TangoActuator(const model::DeviceSpec& spec, const LabContext&) : TangoDriver(spec) {
        CancelToken none;
        for (const QVariantMap& e : params().objects("axes")) {
            const QString attribute = e.value(QStringLiteral("attribute")).toString();
            Axis a;
            a.info = link_.attributeInfo(attribute);
            if (!a.info.numeric || a.info.boolean || a.info.format != TangoAttributeInfo::Format::Scalar || !a.info.writable)
                throw DeviceError(QStringLiteral("%1: attribute '%2' of %3 is a %4 %5%6: an axis is a writable scalar number")
                                      .arg(name(), attribute, link_.device(), a.info.typeName, formatName(a.info.format), a.info.writable ? QString() : QStringLiteral(", read-only"))
                                      .toStdString());
            const QString n = e.value(QStringLiteral("name")).toString();
            a.decl = {n.isEmpty() ? name() : name() + QLatin1Char('.') + n, a.info.unit, std::max(a.info.min, e.value(QStringLiteral("min"), -kInf).toDouble()),
                      std::min(a.info.max, e.value(QStringLiteral("max"), kInf).toDouble())};
            a.setpoint = e.value(QStringLiteral("readback")).toString() == QLatin1String("setpoint") || !a.info.readable;
            a.settleS = e.value(QStringLiteral("settle_s"), 0.0).toDouble();
            a.moveTimeoutS = e.value(QStringLiteral("move_timeout_s"), 60.0).toDouble();
            link_.readNumber(a.info, a.setpoint, &a.position, none);
            axes_.push_back(std::move(a));
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
        if (!(target >= a.decl.min && target <= a.decl.max))
            throw DeviceError(QStringLiteral("%1: %2 is outside the limits [%3, %4] of %5 (attribute '%6')").arg(name()).arg(target).arg(a.decl.min).arg(a.decl.max).arg(a.decl.name, a.info.name).toStdString());
        prepare();
        if (const Checkpoint c = link_.write(a.info, target, token); c != Checkpoint::Continue) return c;
        // The device says MOVING while it moves: poll its state (one request per 10 ms at most).
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(a.moveTimeoutS));
        for (;;) {
            QString state;
            if (const Checkpoint c = link_.state(&state, token); c != Checkpoint::Continue) return c;
            if (state == QLatin1String("FAULT"))
                throw DeviceError(QStringLiteral("%1: moving '%2' to %3 (%4): the device is in FAULT: %5").arg(name(), a.info.name).arg(target).arg(link_.device(), link_.status()).toStdString());
            if (state != QLatin1String("MOVING")) break;
            if (std::chrono::steady_clock::now() > deadline)
                throw DeviceError(QStringLiteral("%1: moving '%2' to %3 (%4): still MOVING after %5 s").arg(name(), a.info.name).arg(target).arg(link_.device()).arg(a.moveTimeoutS).toStdString());
            if (const Checkpoint c = token.sleepFor(std::chrono::milliseconds(10)); c != Checkpoint::Continue) return c;
        }
        if (a.settleS > 0)
            if (const Checkpoint c = token.sleepFor(std::chrono::duration<double>(a.settleS)); c != Checkpoint::Continue) return c;
        return link_.readNumber(a.info, a.setpoint, &a.position, token);  // the position the device reports, not the one asked for
    }

    double position(int index) const override { return const_cast<TangoActuator*>(this)->axis(index).position; }

private:
    struct Axis {
        TangoAttributeInfo info;
        model::AxisDecl decl;
        bool setpoint = false;  // read back the set value (w_value) rather than the read value
        double settleS = 0, moveTimeoutS = 60, position = 0;
    };
    Axis& axis(int index) {
        if (index < 0 || size_t(index) >= axes_.size())
            throw DeviceError(QStringLiteral("%1: no axis %2").arg(name()).arg(index).toStdString());
        return axes_[size_t(index)];
    }
    std::vector<Axis> axes_;
};

// A device with axes is an actuator, any other a detector (the lab's rules allow one or the other).
const DriverRegistration tangoRegistration("tango", [](const model::DeviceSpec& spec, const LabContext& ctx) -> std::unique_ptr<Device> {
    if (!spec.params.value(QStringLiteral("axes")).toList().isEmpty()) return std::make_unique<TangoActuator>(spec, ctx);
    return std::make_unique<TangoDetector>(spec, ctx);
});

}  // namespace
}  // namespace acquila::devices
