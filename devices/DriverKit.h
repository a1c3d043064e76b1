#pragma once
#include "devices/Device.h"
#include "devices/DriverParams.h"

#include <QString>
#include <QVariant>
#include <cmath>
#include <functional>
#include <memory>
#include <type_traits>
#include <vector>

// The driver kit: a driver declares each property once, bound to a member (or a getter and
// a setter), and the kit derives describe()'s declarations and values, setProperty's checks
// and assignment, and the initial value from the lab's parameter of the same id. Drivers
// register themselves with ACQUILA_REGISTER_DRIVER in their own .cpp
// (docs/architecture.md, "Devices and workers").
namespace acquila::devices {

/** Makes a device from its spec; throws DeviceError. */
using DriverFactory = std::unique_ptr<Device> (*)(const model::DeviceSpec&, const LabContext&);

/**
 * Adds a driver to the registry createDevice() looks in; used by ACQUILA_REGISTER_DRIVER,
 * before main() for the built-in drivers, while a worker loads the plugin for the others.
 * Built-in drivers ("sim.*", "scpi", "tango") have their parameters in the app's table
 * (core/model/DriverSchema.cpp); any other driver declares them here, and the worker
 * checks the lab's devices of that driver against them.
 */
struct DriverRegistration {
    DriverRegistration(const char* driver, DriverFactory factory, std::vector<model::ParamDecl> params = {});
};

/**
 * Registers driver NAME (a string) made by TYPE(const DeviceSpec&, const LabContext&).
 * A plugin's driver lists the lab parameters it reads after the type (model::param::…).
 */
#define ACQUILA_REGISTER_DRIVER(NAME, TYPE, ...)                                                               \
    static const ::acquila::devices::DriverRegistration acquilaDriverRegistration_##TYPE(                      \
        NAME,                                                                                                  \
        [](const ::acquila::model::DeviceSpec& spec, const ::acquila::devices::LabContext& ctx)                 \
            -> std::unique_ptr<::acquila::devices::Device> { return std::make_unique<TYPE>(spec, ctx); },       \
        {__VA_ARGS__})

/** The declaration of one property while a driver builds it: label, unit, range, allowed values, read-only, monitored. */
class PropertyDef {
public:
    explicit PropertyDef(model::PropertyDecl& decl) : d_(decl) {}
    PropertyDef& label(const QString& text) { return d_.label = text, *this; }
    PropertyDef& unit(const QString& text) { return d_.unit = text, *this; }
    PropertyDef& range(double min, double max) { return d_.min = min, d_.max = max, *this; }
    PropertyDef& allowed(const QStringList& values) {
        d_.type = model::PropertyType::Enum;
        d_.allowed = values;
        return *this;
    }
    PropertyDef& readOnly() { return d_.readOnly = true, *this; }
    /** A live readback (a temperature, a pressure): worker 0 polls it while no run is active and the window shows it. */
    PropertyDef& monitored() { return d_.monitored = true, *this; }

private:
    model::PropertyDecl& d_;
};

/**
 * What DriverBase keeps of one property: its declaration and how to read and write it.
 * Not a template so that the checks live in one .cpp.
 */
struct BoundProperty {
    model::PropertyDecl decl;
    std::function<QVariant()> get;
    std::function<void(const QVariant&)> set;
};

/** The checks every setProperty makes: declared, writable, of the right type and in range. */
void checkPropertyValue(const QString& device, const std::vector<BoundProperty>& props, const QString& id,
                        const QVariant& value, const BoundProperty** found);

/**
 * Base of every driver. `Kind` is Actuator or Detector. The driver's constructor declares
 * its properties with property(); "timeout_s" (and the "exclusive" parameter) come with the
 * base. The driver fills in the rest of its description (kind, summary, axes, outputs) in
 * describeDevice(). Executor thread only, like every device.
 */
template <typename Kind>
class DriverBase : public Kind {
public:
    model::DeviceDescription describe() const final {
        model::DeviceDescription d;
        d.name = this->name();
        d.driver = driver_;
        d.kind = std::is_base_of_v<Actuator, Kind> ? model::DeviceKind::Actuator : model::DeviceKind::Detector;
        d.concurrency = exclusive_ ? model::Concurrency::Exclusive : model::Concurrency::Replicable;
        // The driver's own properties first, then "timeout_s" (declared first, by the base).
        for (size_t i = 1; i <= props_.size(); ++i) {
            const BoundProperty& p = props_[i % props_.size()];
            d.properties.push_back(p.decl);
            d.values.insert(p.decl.id, p.get());
        }
        describeDevice(d);
        return d;
    }

    void setProperty(const QString& id, const QVariant& value) override {
        const BoundProperty* p = nullptr;
        checkPropertyValue(this->name(), props_, id, value, &p);
        p->set(value);
    }

    double timeoutS() const override { return timeoutS_; }

protected:
    /** Reads and checks the spec's parameters (throws DeviceError naming the device and the parameter). */
    DriverBase(const model::DeviceSpec& spec) : Kind(spec.name), params_(spec), driver_(spec.driver) {
        exclusive_ = model::isExclusive(spec);  // sim.* replicable unless told, every other driver exclusive
        property("timeout_s", &timeoutS_).label(QStringLiteral("Operation timeout")).unit(QStringLiteral("s"));
    }

    /** Kind, summary, axes, outputs: what the property declarations do not say. */
    virtual void describeDevice(model::DeviceDescription& d) const = 0;

    /**
     * Declares the property `id` bound to `*member` (double, qint64, int, bool or QString).
     * When the driver has a lab parameter of the same id, the property takes its range and
     * allowed values, and `*member` starts at its value (set, or the declared default).
     * The value at declaration is the property's default.
     */
    template <typename M>
    PropertyDef property(const char* id, M* member) {
        if (params_.provides(id)) *member = paramValue<M>(id);
        PropertyDef def = bind(id, typeOf<M>(), [member] { return QVariant::fromValue(*member); },
                               [member](const QVariant& v) { *member = v.value<M>(); });
        if (const model::ParamDecl* param = params_.declaration(id)) {
            // A lab parameter's range and allowed values are the property's: written once.
            def.range(param->min, param->max);
            if (!param->allowed.isEmpty()) def.allowed(param->allowed);
        }
        return def;
    }

    /** Declares a property read and written through functions (values stored elsewhere). */
    PropertyDef property(const QString& id, model::PropertyType type, std::function<QVariant()> get,
                         std::function<void(const QVariant&)> set) {
        return bind(id, type, std::move(get), std::move(set));
    }

    const DriverParams& params() const { return params_; }

private:
    template <typename M>
    static constexpr model::PropertyType typeOf() {
        if constexpr (std::is_same_v<M, bool>) return model::PropertyType::Bool;
        else if constexpr (std::is_integral_v<M>) return model::PropertyType::Int;
        else if constexpr (std::is_floating_point_v<M>) return model::PropertyType::Double;
        else {
            static_assert(std::is_same_v<M, QString>, "a property is a double, an integer, a bool or a QString");
            return model::PropertyType::String;
        }
    }
    template <typename M>
    M paramValue(const char* id) const {
        if constexpr (std::is_same_v<M, bool>) return params_.boolean(id);
        else if constexpr (std::is_integral_v<M>) return M(params_.integer(id));
        else if constexpr (std::is_floating_point_v<M>) return M(params_.number(id));
        else return params_.string(id);
    }
    PropertyDef bind(const QString& id, model::PropertyType type, std::function<QVariant()> get,
                     std::function<void(const QVariant&)> set) {
        BoundProperty p;
        p.decl.id = id;
        p.decl.label = id;
        p.decl.type = type;
        p.decl.defaultValue = get();
        p.get = std::move(get);
        p.set = std::move(set);
        props_.push_back(std::move(p));
        return PropertyDef(props_.back().decl);
    }

    DriverParams params_;
    QString driver_;
    bool exclusive_ = false;
    double timeoutS_ = 10;
    std::vector<BoundProperty> props_;  // std::vector: PropertyDef refers to the last one only while it is built
};

using DetectorDriver = DriverBase<Detector>;
using ActuatorDriver = DriverBase<Actuator>;

}  // namespace acquila::devices
