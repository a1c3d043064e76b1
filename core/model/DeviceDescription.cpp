#include "core/model/DeviceDescription.h"

#include "core/util/CborFields.h"

#include <QCborArray>
#include <cmath>

namespace acquila::model {

namespace {
constexpr const char* kKindNames[] = {"actuator", "detector", "compute"};
constexpr const char* kTypeNames[] = {"bool", "int", "double", "string", "enum"};

template <typename E, size_t N>
bool enumFromName(const QString& s, const char* const (&names)[N], E* out) {
    for (size_t i = 0; i < N; ++i) {
        if (s == QLatin1String(names[i])) {
            *out = static_cast<E>(i);
            return true;
        }
    }
    return false;
}

QCborArray shapeToCbor(const std::vector<int64_t>& shape) {
    QCborArray a;
    for (int64_t d : shape) a.append(static_cast<qint64>(d));
    return a;
}
}  // namespace

const char* deviceKindName(DeviceKind k) { return kKindNames[static_cast<size_t>(k)]; }
const char* propertyTypeName(PropertyType t) { return kTypeNames[static_cast<size_t>(t)]; }

QString PropertyDecl::check(const QVariant& value) const {
    switch (type) {
        case PropertyType::Bool:
            if (value.typeId() != QMetaType::Bool) return QStringLiteral("property '%1' expects true or false").arg(id);
            return {};
        case PropertyType::String:
            if (value.typeId() != QMetaType::QString) return QStringLiteral("property '%1' expects a string").arg(id);
            return {};
        case PropertyType::Enum:
            if (!allowed.contains(value.toString()))
                return QStringLiteral("property '%1' expects one of %2").arg(id, allowed.join(QLatin1String(", ")));
            return {};
        case PropertyType::Int:
        case PropertyType::Double: {
            bool ok = false;
            const double v = value.toDouble(&ok);
            if (!ok || value.typeId() == QMetaType::QString || value.typeId() == QMetaType::Bool)
                return QStringLiteral("property '%1' expects a number").arg(id);
            if (type == PropertyType::Int && std::floor(v) != v)
                return QStringLiteral("property '%1' expects an integer").arg(id);
            const QString u = unit.isEmpty() ? QString() : QLatin1Char(' ') + unit;
            if (v < min) return QStringLiteral("%1 is below the minimum %2%3 of property '%4'").arg(v).arg(min).arg(u, id);
            if (v > max) return QStringLiteral("%1 is above the maximum %2%3 of property '%4'").arg(v).arg(max).arg(u, id);
            return {};
        }
    }
    return {};
}

qint64 OutputDecl::elementsPerPoint() const {
    qint64 n = 1;
    for (int64_t d : shape) n *= d;
    return n;
}

const AxisDecl* DeviceDescription::findAxis(const QString& fullName) const {
    for (const auto& a : axes)
        if (a.name == fullName) return &a;
    return nullptr;
}
const OutputDecl* DeviceDescription::findOutput(const QString& fullName) const {
    for (const auto& o : outputs)
        if (o.name == fullName) return &o;
    return nullptr;
}
const PropertyDecl* DeviceDescription::findProperty(const QString& id) const {
    for (const auto& p : properties)
        if (p.id == id) return &p;
    return nullptr;
}

QCborMap DeviceDescription::toCbor() const {
    QCborMap m;
    m.insert(QLatin1String("name"), name);
    m.insert(QLatin1String("driver"), driver);
    m.insert(QLatin1String("kind"), QLatin1String(deviceKindName(kind)));
    m.insert(QLatin1String("exclusive"), concurrency == Concurrency::Exclusive);
    m.insert(QLatin1String("summary"), summary);
    if (!unavailable.isEmpty()) m.insert(QLatin1String("unavailable"), unavailable);
    QCborArray props;
    for (const auto& p : properties) {
        QCborMap pm;
        pm.insert(QLatin1String("id"), p.id);
        pm.insert(QLatin1String("label"), p.label);
        pm.insert(QLatin1String("unit"), p.unit);
        pm.insert(QLatin1String("type"), QLatin1String(propertyTypeName(p.type)));
        pm.insert(QLatin1String("min"), p.min);
        pm.insert(QLatin1String("max"), p.max);
        pm.insert(QLatin1String("allowed"), QCborArray::fromStringList(p.allowed));
        pm.insert(QLatin1String("default"), QCborValue::fromVariant(p.defaultValue));
        pm.insert(QLatin1String("read_only"), p.readOnly);
        if (p.monitored) pm.insert(QLatin1String("monitored"), true);
        props.append(pm);
    }
    m.insert(QLatin1String("properties"), props);
    m.insert(QLatin1String("values"), QCborMap::fromVariantMap(values));
    QCborArray ax;
    for (const auto& a : axes) {
        QCborMap am;
        am.insert(QLatin1String("name"), a.name);
        am.insert(QLatin1String("unit"), a.unit);
        am.insert(QLatin1String("min"), a.min);
        am.insert(QLatin1String("max"), a.max);
        ax.append(am);
    }
    m.insert(QLatin1String("axes"), ax);
    QCborArray outs;
    for (const auto& o : outputs) {
        QCborMap om;
        om.insert(QLatin1String("name"), o.name);
        om.insert(QLatin1String("unit"), o.unit);
        om.insert(QLatin1String("dtype"), QLatin1String(dtypeName(o.dtype)));
        om.insert(QLatin1String("shape"), shapeToCbor(o.shape));
        om.insert(QLatin1String("axis_labels"), QCborArray::fromStringList(o.axisLabels));
        outs.append(om);
    }
    m.insert(QLatin1String("outputs"), outs);
    QCborArray pos;
    for (double p : positions) pos.append(p);
    m.insert(QLatin1String("positions"), pos);
    return m;
}

util::Result<DeviceDescription> DeviceDescription::fromCbor(const QCborMap& map) {
    using R = util::Result<DeviceDescription>;
    DeviceDescription d;
    util::CborFields f(map, QStringLiteral("device"));
    d.name = f.str("name");
    d.driver = f.str("driver");
    if (!enumFromName(f.str("kind"), kKindNames, &d.kind)) f.fail(QStringLiteral("device: unknown kind"));
    d.concurrency = f.boolean("exclusive") ? Concurrency::Exclusive : Concurrency::Replicable;
    d.summary = f.optStr("summary", {});
    d.unavailable = f.optStr("unavailable", {});
    for (const QCborValue& pv : f.array("properties")) {
        util::CborFields pf(pv.toMap(), QStringLiteral("device property"));
        PropertyDecl p;
        p.id = pf.str("id");
        p.label = pf.str("label");
        p.unit = pf.str("unit");
        if (!enumFromName(pf.str("type"), kTypeNames, &p.type)) pf.fail(QStringLiteral("unknown property type"));
        p.min = pf.number("min");
        p.max = pf.number("max");
        for (const QCborValue& s : pf.array("allowed")) p.allowed << s.toString();
        p.defaultValue = pf.raw("default").toVariant();
        p.readOnly = pf.boolean("read_only");
        p.monitored = pf.optBoolean("monitored", false);
        if (!pf.ok()) return R::failure(pf.error());
        d.properties.push_back(std::move(p));
    }
    d.values = f.map("values").toVariantMap();
    for (const QCborValue& av : f.array("axes")) {
        util::CborFields af(av.toMap(), QStringLiteral("device axis"));
        AxisDecl a{af.str("name"), af.str("unit"), af.number("min"), af.number("max")};
        if (!af.ok()) return R::failure(af.error());
        d.axes.push_back(std::move(a));
    }
    for (const QCborValue& ov : f.array("outputs")) {
        util::CborFields of(ov.toMap(), QStringLiteral("device output"));
        OutputDecl o;
        o.name = of.str("name");
        o.unit = of.str("unit");
        if (!dtypeFromName(of.str("dtype"), &o.dtype)) of.fail(QStringLiteral("device output: unknown dtype"));
        for (const QCborValue& s : of.array("shape")) {
            if (!s.isInteger() || s.toInteger() < 1 || s.toInteger() > (1 << 20))
                of.fail(QStringLiteral("device output: bad shape"));
            o.shape.push_back(s.toInteger());
        }
        for (const QCborValue& s : of.array("axis_labels")) o.axisLabels << s.toString();
        if (!of.ok()) return R::failure(of.error());
        d.outputs.push_back(std::move(o));
    }
    for (const QCborValue& p : f.array("positions")) d.positions.push_back(p.toDouble());
    if (!f.ok()) return R::failure(f.error());
    return d;
}

DeviceDescription DeviceDescription::unavailableDevice(const QString& name, const QString& driver, const QString& why) {
    DeviceDescription d;
    d.name = name;
    d.driver = driver;
    d.concurrency = Concurrency::Exclusive;
    d.unavailable = why.isEmpty() ? QStringLiteral("unavailable") : why;
    return d;
}

}  // namespace acquila::model
