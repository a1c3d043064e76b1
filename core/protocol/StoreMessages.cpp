#include "core/protocol/MessageFields.h"
#include "core/protocol/Messages.h"

#include <array>
#include <limits>

/** The `store` and `store_status` messages between the manager and the storage worker. */

namespace acquila::protocol {

using namespace detail;  // MessageFields and the encoding helpers

namespace {
constexpr qint64 kMaxInt = std::numeric_limits<qint64>::max();
constexpr std::array<const char*, 6> kLogLevels = {"trace", "debug", "info", "warning", "error", "critical"};
constexpr std::array<const char*, 5> kStoreOps = {"open", "log", "flush", "finish", "seal"};
constexpr std::array<const char*, 4> kStatusOps = {"opened", "error", "finished", "progress"};

/** A store message's payload: its op first, then the fields. */
QCborMap storePayload(StoreOp op, std::initializer_list<std::pair<const char*, QCborValue>> fields) {
    QCborMap p = cborMap(fields);
    p.insert(QLatin1String("op"), QLatin1String(storeOpName(op)));
    return p;
}

/** Checks a store message and its op; the context is "store <op>". */
MessageFields storeFields(const Message& m, StoreOp op) {
    const QString name = QLatin1String(storeOpName(op));
    MessageFields f(m, MessageType::Store, QStringLiteral("store ") + name);
    const QString got = f.str("op");
    f.require(got == name, "op", QStringLiteral("must be '%1'").arg(name));
    return f;
}

template <typename T>
util::Result<StoreCommand> asCommand(util::Result<T> r) {
    if (!r) return util::Result<StoreCommand>::failure(r.error());
    return StoreCommand(std::move(*r));
}
}  // namespace

const char* storeOpName(StoreOp op) { return kStoreOps[static_cast<size_t>(op)]; }

QCborMap StoreOpen::encode() const {
    QCborMap p = storePayload(kOp, {{"run", static_cast<qint64>(run)}, {"layout", layout}});
    insertIfSet(p, "directory", directory);
    return p;
}

util::Result<StoreOpen> StoreOpen::decode(const Message& m) {
    MessageFields f = storeFields(m, kOp);
    StoreOpen o;
    o.run = f.id("run", false);
    o.layout = f.map("layout");
    o.directory = f.optStr("directory", {});
    return f.done(std::move(o));
}

bool StoreOpen::operator==(const StoreOpen& o) const {
    return run == o.run && layout == o.layout && directory == o.directory;
}

QString StoreLog::levelName() const { return QLatin1String(kLogLevels[static_cast<size_t>(std::clamp(level, 0, 5))]); }

QCborMap StoreLog::encode() const { return storePayload(kOp, {{"time_ms", timeMs}, {"level", levelName()}, {"text", text}}); }

util::Result<StoreLog> StoreLog::decode(const Message& m) {
    MessageFields f = storeFields(m, kOp);
    StoreLog l;
    l.timeMs = f.integer("time_ms");
    l.level = f.oneOf("level", kLogLevels);
    l.text = f.str("text");
    return f.done(std::move(l));
}

QCborMap StoreFlush::encode() const { return storePayload(kOp, {}); }

util::Result<StoreFlush> StoreFlush::decode(const Message& m) { return storeFields(m, kOp).done(StoreFlush{}); }

QCborMap StoreFinish::encode() const {
    return storePayload(kOp, {{"status", static_cast<int>(status)}, {"reason", reason}, {"devices", toCborArray(devices)}});
}

util::Result<StoreFinish> StoreFinish::decode(const Message& m) {
    MessageFields f = storeFields(m, kOp);
    StoreFinish s;
    s.status = static_cast<model::RunStatus>(f.inRange("status", 0, static_cast<int>(model::RunStatus::Interrupted)));
    s.reason = f.str("reason");
    s.devices = f.devices("devices");
    return f.done(std::move(s));
}

bool StoreFinish::operator==(const StoreFinish& o) const {
    return status == o.status && reason == o.reason && sameDevices(devices, o.devices);
}

QCborMap StoreSeal::encode() const {
    return storePayload(kOp, {{"run", static_cast<qint64>(run)}, {"path", path}, {"status", static_cast<int>(status)}, {"reason", reason}});
}

util::Result<StoreSeal> StoreSeal::decode(const Message& m) {
    MessageFields f = storeFields(m, kOp);
    StoreSeal s;
    s.run = f.id("run", false);
    s.path = f.str("path");
    f.require(s.path.endsWith(QLatin1String(".part")), "path", QStringLiteral("must name a '.part' file"));
    s.status = static_cast<model::RunStatus>(f.inRange("status", 0, static_cast<int>(model::RunStatus::Interrupted)));
    s.reason = f.str("reason");
    return f.done(std::move(s));
}

util::Result<StoreCommand> decodeStoreCommand(const Message& m) {
    MessageFields f(m, MessageType::Store, QStringLiteral("store"));
    const int op = f.oneOf("op", kStoreOps);
    if (op < 0) return util::Result<StoreCommand>::failure(f.error());
    switch (static_cast<StoreOp>(op)) {
        case StoreOp::Open: return asCommand(StoreOpen::decode(m));
        case StoreOp::Log: return asCommand(StoreLog::decode(m));
        case StoreOp::Flush: return asCommand(StoreFlush::decode(m));
        case StoreOp::Seal: return asCommand(StoreSeal::decode(m));
        case StoreOp::Finish: break;
    }
    return asCommand(StoreFinish::decode(m));
}

const char* StoreStatus::opName(Op op) { return kStatusOps[static_cast<size_t>(op)]; }

QCborMap StoreStatus::encode() const {
    QCborMap p = cborMap({{"op", QLatin1String(opName(op))}, {"run", static_cast<qint64>(run)}, {"processed", processed},
                          {"bytes_per_s", bytesPerSecond}, {"free_bytes", freeBytes}});
    if (diskBytes >= 0) p.insert(QLatin1String("disk_bytes"), diskBytes);
    insertIfSet(p, "error", error);
    insertIfSet(p, "path", path);
    if (points) p.insert(QLatin1String("points"), *points);
    return p;
}

util::Result<StoreStatus> StoreStatus::decode(const Message& m) {
    MessageFields f(m, kType, QStringLiteral("store status"));
    StoreStatus s;
    s.op = static_cast<Op>(std::max(0, f.oneOf("op", kStatusOps)));
    s.run = f.id("run", true);
    s.processed = f.inRange("processed", 0, kMaxInt);
    s.bytesPerSecond = f.finite("bytes_per_s", 0);
    s.freeBytes = f.inRange("free_bytes", -1, kMaxInt);
    if (f.has("disk_bytes")) s.diskBytes = f.inRange("disk_bytes", -1, kMaxInt);
    s.error = f.optStr("error", {});
    s.path = f.optStr("path", {});
    if (f.has("points")) s.points = f.inRange("points", 0, kMaxInt);
    return f.done(std::move(s));
}

}  // namespace acquila::protocol
