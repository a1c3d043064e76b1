#include "core/plan/Plan.h"
#include "core/util/CborFields.h"
#include "core/storage/RunLayout.h"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>

namespace acquila::storage {

namespace {
constexpr const char* kStorageNames[] = {"dimension", "per_point"};
constexpr const char* kRoleNames[] = {"axis_position", "timestamp", "detector"};

template <typename E, size_t N>
bool enumFromName(const QString& s, const char* const (&names)[N], E* out) {
    const auto* it = std::find_if(std::begin(names), std::end(names), [&](const char* n) { return s == QLatin1String(n); });
    if (it != std::end(names)) *out = static_cast<E>(it - std::begin(names));
    return it != std::end(names);
}

template <typename T>
QCborArray toArray(const std::vector<T>& values) {
    QCborArray a;
    for (T v : values) a.append(v);
    return a;
}

/** Reads the fields of one CBOR map; every error starts with `context`, which names the map. */
struct Reader {
    Reader(const QCborMap& map, const QString& context) : f(map, context), ctx(context) {}
    util::CborFields f;
    QString ctx;

    void outOfRange(const QString& field, const QString& value, const QString& allowed) {
        f.fail(QStringLiteral("%1: field '%2' is %3, must be %4").arg(ctx, field, value, allowed));
    }
    qint64 integerIn(const char* key, qint64 lo, qint64 hi) {
        const qint64 v = f.integer(key);
        if (f.ok() && (v < lo || v > hi))
            outOfRange(QLatin1String(key), QString::number(v), QStringLiteral("in [%1, %2]").arg(lo).arg(hi));
        return v;
    }
    template <typename E, size_t N>
    E name(const char* key, const char* const (&names)[N]) {
        const QString s = f.str(key);
        E e{};
        if (f.ok() && !enumFromName(s, names, &e)) outOfRange(QLatin1String(key), QStringLiteral("'%1'").arg(s), QStringLiteral("a known name"));
        return e;
    }
    /** Integers >= lo whose product is at most kMaxPlanPoints. */
    std::vector<qint64> shape(const char* key, qint64 lo) {
        std::vector<qint64> out;
        qint64 product = 1;
        const QCborArray a = f.array(key);
        for (qsizetype i = 0; i < a.size() && f.ok(); ++i) {
            const QString field = QStringLiteral("%1[%2]").arg(QLatin1String(key)).arg(i);
            if (!a[i].isInteger()) f.fail(QStringLiteral("%1: field '%2' must be an integer").arg(ctx, field));
            else if (a[i].toInteger() < lo || a[i].toInteger() > plan::kMaxPlanPoints / product)
                outOfRange(field, QString::number(a[i].toInteger()), QStringLiteral("in [%1, %2]").arg(lo).arg(plan::kMaxPlanPoints / product));
            else product *= a[i].toInteger();
            out.push_back(a[i].toInteger());
        }
        return out;
    }
    std::vector<double> numbers(const char* key) {
        std::vector<double> out;
        const QCborArray a = f.array(key);
        for (qsizetype i = 0; i < a.size() && f.ok(); ++i) {
            if (!a[i].isDouble() && !a[i].isInteger())
                f.fail(QStringLiteral("%1: field '%2[%3]' must be a number").arg(ctx, QLatin1String(key)).arg(i));
            out.push_back(a[i].isInteger() ? static_cast<double>(a[i].toInteger()) : a[i].toDouble());
        }
        return out;
    }
    /** Calls read(map, context) for each element of the array `key`, which must all be maps. */
    template <typename F>
    void eachMap(const char* key, F&& read) {
        const QCborArray a = f.array(key);
        for (qsizetype i = 0; i < a.size() && f.ok(); ++i) {
            const QString where = QStringLiteral("%1: %2[%3]").arg(ctx, QLatin1String(key)).arg(i);
            if (!a[i].isMap()) f.fail(QStringLiteral("%1 must be a map").arg(where));
            else if (QString problem = read(a[i].toMap(), where); !problem.isEmpty()) f.fail(problem);
        }
    }
};

QString readAxis(const QCborMap& m, const QString& where, int rank, std::vector<RunAxis>& out) {
    Reader r(m, where);
    RunAxis a;
    a.name = r.f.str("name");
    a.unit = r.f.str("unit");
    a.storage = r.name<AxisStorage>("storage", kStorageNames);
    a.dimension = static_cast<int>(r.integerIn("dimension", 0, rank - 1));
    a.positions = r.numbers("positions");
    out.push_back(std::move(a));
    return r.f.error();
}

QString readChannel(const QCborMap& m, const QString& where, std::vector<RunChannel>& out) {
    Reader r(m, where);
    RunChannel c;
    c.name = r.f.str("name");
    c.unit = r.f.str("unit");
    const QString dtype = r.f.str("dtype");
    if (r.f.ok() && !model::dtypeFromName(dtype, &c.dtype)) r.outOfRange(QStringLiteral("dtype"), QStringLiteral("'%1'").arg(dtype), QStringLiteral("a known dtype"));
    c.pointShape = r.shape("point_shape", 1);
    c.role = r.name<ChannelRole>("role", kRoleNames);
    out.push_back(std::move(c));
    return r.f.error();
}

QCborMap axisToCbor(const RunAxis& a) {
    QCborMap m;
    m.insert(QLatin1String("name"), a.name);
    m.insert(QLatin1String("unit"), a.unit);
    m.insert(QLatin1String("storage"), QLatin1String(kStorageNames[static_cast<size_t>(a.storage)]));
    m.insert(QLatin1String("dimension"), a.dimension);
    m.insert(QLatin1String("positions"), toArray(a.positions));
    return m;
}

QCborMap channelToCbor(const RunChannel& c) {
    QCborMap m;
    m.insert(QLatin1String("name"), c.name);
    m.insert(QLatin1String("unit"), c.unit);
    m.insert(QLatin1String("dtype"), QLatin1String(model::dtypeName(c.dtype)));
    m.insert(QLatin1String("point_shape"), toArray(c.pointShape));
    m.insert(QLatin1String("role"), QLatin1String(kRoleNames[static_cast<size_t>(c.role)]));
    return m;
}
}  // namespace

QCborMap RunLayout::toCbor() const {
    QCborMap m;
    m.insert(QLatin1String("path"), path);
    m.insert(QLatin1String("title"), title);
    m.insert(QLatin1String("plan_name"), planName);
    m.insert(QLatin1String("run_id"), static_cast<qint64>(runId));
    m.insert(QLatin1String("plan_json"), planJson);
    m.insert(QLatin1String("program_name"), programName);
    m.insert(QLatin1String("program_version"), programVersion);
    m.insert(QLatin1String("hostname"), hostname);
    m.insert(QLatin1String("user"), user);
    if (startTime.isValid()) m.insert(QLatin1String("start_ms"), startTime.toMSecsSinceEpoch());
    m.insert(QLatin1String("scan_shape"), toArray(scanShape));
    QCborArray ax, ch, dev;
    for (const auto& a : axes) ax.append(axisToCbor(a));
    for (const auto& c : channels) ch.append(channelToCbor(c));
    for (const auto& d : devices) dev.append(d.toCbor());
    m.insert(QLatin1String("axes"), ax);
    m.insert(QLatin1String("channels"), ch);
    m.insert(QLatin1String("devices"), dev);
    m.insert(QLatin1String("flush_interval_s"), flushIntervalS);
    m.insert(QLatin1String("snake"), snake);
    m.insert(QLatin1String("leading_raster_dims"), leadingRasterDims);
    return m;
}

util::Result<RunLayout> RunLayout::fromCbor(const QCborMap& map) {
    Reader r(map, QStringLiteral("run layout"));
    RunLayout l;
    l.path = r.f.str("path");
    l.title = r.f.str("title");
    l.planName = r.f.str("plan_name");
    l.runId = static_cast<quint64>(r.integerIn("run_id", 0, std::numeric_limits<qint64>::max()));
    l.planJson = r.f.str("plan_json");
    l.programName = r.f.str("program_name");
    l.programVersion = r.f.str("program_version");
    l.hostname = r.f.str("hostname");
    l.user = r.f.str("user");
    if (r.f.has("start_ms")) l.startTime = QDateTime::fromMSecsSinceEpoch(r.f.integer("start_ms"));
    l.scanShape = r.shape("scan_shape", 1);
    if (r.f.ok() && l.scanShape.empty()) r.outOfRange(QStringLiteral("scan_shape"), QStringLiteral("empty"), QStringLiteral("non-empty"));
    const int rank = static_cast<int>(l.scanShape.size());
    r.eachMap("axes", [&](const QCborMap& m, const QString& where) { return readAxis(m, where, rank, l.axes); });
    r.eachMap("channels", [&](const QCborMap& m, const QString& where) { return readChannel(m, where, l.channels); });
    r.eachMap("devices", [&](const QCborMap& m, const QString& where) {
        auto d = model::DeviceDescription::fromCbor(m);
        if (!d) return QStringLiteral("%1: %2").arg(where, d.error());
        l.devices.push_back(std::move(*d));
        return QString();
    });
    l.flushIntervalS = r.f.number("flush_interval_s");
    if (r.f.ok() && !(std::isfinite(l.flushIntervalS) && l.flushIntervalS >= 0))
        r.outOfRange(QStringLiteral("flush_interval_s"), QString::number(l.flushIntervalS), QStringLiteral("a finite number >= 0"));
    l.snake = r.f.boolean("snake");
    l.leadingRasterDims = static_cast<int>(r.integerIn("leading_raster_dims", 0, rank));
    if (!r.f.ok()) return util::Result<RunLayout>::failure(r.f.error());
    if (QString problem = l.checkContent(); !problem.isEmpty()) return util::Result<RunLayout>::failure(problem);
    return l;
}

}  // namespace acquila::storage
