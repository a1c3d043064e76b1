#include "core/protocol/Messages.h"

#include "core/protocol/MessageFields.h"

#include <array>
#include <climits>
#include <limits>

namespace acquila::protocol {

using namespace detail;  // MessageFields and the encoding helpers

namespace {
constexpr double kAnyNumber = -std::numeric_limits<double>::infinity();
constexpr std::array<const char*, 2> kRoles = {"device", "storage"};
}  // namespace

const char* workerRoleName(WorkerRole r) { return kRoles[static_cast<size_t>(r)]; }

QCborMap Hello::encode() const {
    return cborMap({{"version", version}, {"token", token}, {"pid", pid}, {"worker", worker},
                    {"role", QLatin1String(workerRoleName(role))}});
}

util::Result<Hello> Hello::decode(const Message& m) {
    MessageFields f(m, kType, QStringLiteral("hello"));
    Hello h;
    h.version = f.inRange("version", 1, INT_MAX);
    h.token = f.str("token");
    h.pid = f.inRange("pid", 1, std::numeric_limits<qint64>::max());
    h.worker = static_cast<int>(f.inRange("worker", 0, INT_MAX));
    h.role = static_cast<WorkerRole>(std::max(0, f.oneOf("role", kRoles)));
    return f.done(std::move(h));
}

QCborMap Configure::encode() const {
    QCborMap map = cborMap({{"lab", lab.toCbor()}, {"exclusive", exclusive}, {"flush_interval_s", flushIntervalS},
                            {"data_directory", dataDirectory}});
    if (!skip.isEmpty()) map.insert(QLatin1String("skip"), QCborArray::fromStringList(skip));
    return map;
}

util::Result<Configure> Configure::decode(const Message& m) {
    MessageFields f(m, kType, QStringLiteral("configure"));
    Configure c;
    const QCborMap lab = f.map("lab");
    c.exclusive = f.boolean("exclusive");
    c.flushIntervalS = f.finite("flush_interval_s", 0);
    c.dataDirectory = f.str("data_directory");
    if (f.has("skip")) c.skip = f.strings("skip");
    if (f.ok()) {
        auto parsed = model::LabConfig::fromCbor(lab);
        f.require(parsed.ok(), "lab", QStringLiteral("is invalid: %1").arg(parsed.ok() ? QString() : parsed.error()));
        if (parsed) c.lab = std::move(*parsed);
    }
    return f.done(std::move(c));
}

bool Configure::operator==(const Configure& o) const {
    return lab.toCbor() == o.lab.toCbor() && exclusive == o.exclusive && flushIntervalS == o.flushIntervalS &&
           dataDirectory == o.dataDirectory && skip == o.skip;
}

QCborMap Describe::encode() const {
    return cborMap({{"devices", toCborArray(devices)}, {"errors", QCborArray::fromStringList(errors)}});
}

util::Result<Describe> Describe::decode(const Message& m) {
    MessageFields f(m, kType, QStringLiteral("describe"));
    Describe d;
    d.devices = f.devices("devices");
    if (f.has("errors")) d.errors = f.strings("errors");
    return f.done(std::move(d));
}

bool Describe::operator==(const Describe& o) const { return sameDevices(devices, o.devices) && errors == o.errors; }

QCborMap OpenRun::encode() const {
    return cborMap({{"run", static_cast<qint64>(run)}, {"plan", plan}, {"origin", toCborArray(origin)}});
}

util::Result<OpenRun> OpenRun::decode(const Message& m) {
    MessageFields f(m, kType, QStringLiteral("open"));
    OpenRun o;
    o.run = f.id("run", false);
    o.plan = f.str("plan");
    o.origin = f.numbers("origin");
    return f.done(std::move(o));
}

quint64 runIdOf(const Message& m) {
    // Checked before converting: QCborValue::toInteger() of a huge double is undefined behaviour.
    const QCborValue v = m.payload.value(QLatin1String("run"));
    return v.isInteger() && v.toInteger() > 0 ? static_cast<quint64>(v.toInteger()) : 0;
}

QCborMap CloseRun::encode() const { return cborMap({{"run", static_cast<qint64>(run)}}); }

util::Result<CloseRun> CloseRun::decode(const Message& m) {
    MessageFields f(m, kType, QStringLiteral("close"));
    CloseRun c;
    c.run = f.id("run", false);
    return f.done(c);
}

template <MessageType T>
QCborMap RunReply<T>::encode() const {
    QCborMap p = cborMap({{"run", static_cast<qint64>(run)}});
    insertIfSet(p, "error", error);
    return p;
}

template <MessageType T>
util::Result<RunReply<T>> RunReply<T>::decode(const Message& m) {
    MessageFields f(m, kType, QLatin1String(messageTypeName(T)) + QStringLiteral(" reply"));
    RunReply r;
    r.run = f.id("run", true);
    r.error = f.optStr("error", {});
    return f.done(std::move(r));
}

template struct RunReply<MessageType::Open>;
template struct RunReply<MessageType::Close>;

QCborMap JobRequest::encode() const {
    return cborMap({{"run", static_cast<qint64>(run)}, {"job", static_cast<qint64>(job)}, {"first", first}, {"count", count}});
}

util::Result<JobRequest> JobRequest::decode(const Message& m) {
    MessageFields f(m, kType, QStringLiteral("job"));
    JobRequest j;
    j.run = f.id("run", false);
    j.job = f.id("job", false);
    j.first = f.inRange("first", 0, std::numeric_limits<qint64>::max());
    j.count = f.inRange("count", 0, std::numeric_limits<qint64>::max());
    // Checked only with both in range (a failed inRange leaves the raw value): no overflow here either.
    const bool inRange = j.first >= 0 && j.count >= 0;
    f.require(!inRange || j.first <= std::numeric_limits<qint64>::max() - j.count, "count", QStringLiteral("overflows when added to 'first'"));
    return f.done(j);
}

QCborMap Cancel::encode() const { return cborMap({{"level", static_cast<int>(level)}}); }

util::Result<Cancel> Cancel::decode(const Message& m) {
    MessageFields f(m, kType, QStringLiteral("cancel"));
    Cancel c;
    c.level = static_cast<model::CancelLevel>(f.inRange("level", static_cast<int>(model::CancelLevel::Stop), static_cast<int>(model::CancelLevel::Abort)));
    return f.done(c);
}

QCborMap ErrorReport::encode() const {
    return cborMap({{"run", static_cast<qint64>(run)}, {"job", static_cast<qint64>(job)}, {"point", point},
                    {"device", device}, {"op", op}, {"message", message}});
}

util::Result<ErrorReport> ErrorReport::decode(const Message& m) {
    MessageFields f(m, kType, QStringLiteral("error"));
    ErrorReport e;
    e.run = f.id("run", true);
    e.job = f.id("job", true);
    e.point = f.integer("point");
    e.device = f.str("device");
    e.op = f.str("op");
    e.message = f.str("message");
    return f.done(std::move(e));
}

QCborMap LogLine::encode() const { return cborMap({{"level", level}, {"text", text}}); }

util::Result<LogLine> LogLine::decode(const Message& m) {
    MessageFields f(m, kType, QStringLiteral("log"));
    LogLine l;
    l.level = static_cast<int>(f.inRange("level", 0, 6));
    l.text = f.str("text");
    return f.done(std::move(l));
}

QCborMap MoveAxis::encode() const { return cborMap({{"axis", axis}, {"position", position}}); }

util::Result<MoveAxis> MoveAxis::decode(const Message& m) {
    MessageFields f(m, kType, QStringLiteral("move"));
    MoveAxis a;
    a.axis = f.str("axis");
    f.require(!a.axis.isEmpty(), "axis", QStringLiteral("must not be empty"));
    a.position = f.finite("position", kAnyNumber);
    return f.done(std::move(a));
}

QCborMap SetProperty::encode() const {
    return cborMap({{"device", device}, {"property", property}, {"value", QCborValue::fromVariant(value)}});
}

util::Result<SetProperty> SetProperty::decode(const Message& m) {
    MessageFields f(m, kType, QStringLiteral("set"));
    SetProperty s;
    s.device = f.str("device");
    f.require(!s.device.isEmpty(), "device", QStringLiteral("must not be empty"));
    s.property = f.str("property");
    f.require(!s.property.isEmpty(), "property", QStringLiteral("must not be empty"));
    s.value = f.scalar("value");
    return f.done(std::move(s));
}

template <MessageType T>
QCborMap ApplyReply<T>::encode() const {
    QCborMap p;
    if (value.isValid()) p.insert(QLatin1String("value"), QCborValue::fromVariant(value));
    insertIfSet(p, "error", error);
    return p;
}

template <MessageType T>
util::Result<ApplyReply<T>> ApplyReply<T>::decode(const Message& m) {
    MessageFields f(m, kType, QLatin1String(messageTypeName(T)) + QStringLiteral(" reply"));
    ApplyReply r;
    if (f.has("value")) r.value = f.scalar("value");
    r.error = f.optStr("error", {});
    return f.done(std::move(r));
}

template struct ApplyReply<MessageType::Set>;
template struct ApplyReply<MessageType::Move>;

QCborMap Monitor::encode() const {
    QCborMap pos;
    for (auto it = positions.cbegin(); it != positions.cend(); ++it) pos.insert(it.key(), it.value());
    QCborMap props;
    for (auto it = properties.cbegin(); it != properties.cend(); ++it) {
        QCborMap values;
        for (auto v = it.value().cbegin(); v != it.value().cend(); ++v) values.insert(v.key(), QCborValue::fromVariant(v.value()));
        props.insert(it.key(), values);
    }
    return cborMap({{"positions", pos}, {"properties", props}});
}

util::Result<Monitor> Monitor::decode(const Message& m) {
    MessageFields f(m, kType, QStringLiteral("monitor"));
    Monitor mon;
    const QCborMap pos = f.map("positions");
    for (auto it = pos.cbegin(); it != pos.cend(); ++it) {
        f.require(it.key().isString() && (it.value().isDouble() || it.value().isInteger()), "positions",
                  QStringLiteral("must map axis names to numbers"));
        mon.positions.insert(it.key().toString(), it.value().toDouble());
    }
    const QCborMap props = f.map("properties");
    for (auto it = props.cbegin(); it != props.cend(); ++it) {
        f.require(it.key().isString() && it.value().isMap(), "properties", QStringLiteral("must map device names to maps"));
        QVariantMap values;
        const QCborMap vm = it.value().toMap();
        for (auto v = vm.cbegin(); v != vm.cend(); ++v) {
            f.require(v.key().isString() && MessageFields::isScalar(v.value()), "properties",
                      QStringLiteral("must map property ids to booleans, numbers or strings"));
            values.insert(v.key().toString(), v.value().toVariant());
        }
        mon.properties.insert(it.key().toString(), values);
    }
    return f.done(std::move(mon));
}

util::Result<Heartbeat> Heartbeat::decode(const Message& m) {
    return MessageFields(m, kType, QStringLiteral("heartbeat")).done(Heartbeat{});
}

util::Result<Shutdown> Shutdown::decode(const Message& m) {
    return MessageFields(m, kType, QStringLiteral("shutdown")).done(Shutdown{});
}

}  // namespace acquila::protocol
