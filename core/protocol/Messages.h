#pragma once
#include "core/model/DeviceDescription.h"
#include "core/model/LabConfig.h"
#include "core/model/RunTypes.h"
#include "core/protocol/Frame.h"
#include "core/util/Result.h"

#include <QCborMap>
#include <QMap>
#include <QString>
#include <QStringList>
#include <QVariant>
#include <optional>
#include <variant>
#include <vector>

/**
 * Typed messages of the worker protocol. One value struct per message and
 * direction; each has
 *   - `kType`: its MessageType,
 *   - `encode()`: the payload map, with the same field names as on the wire,
 *   - `decode(const Message&)`: the struct, or an error naming the message and
 *     the field that is missing, mistyped or out of range.
 * `toMessage(value, id)` wraps a struct into a Message. Optional strings and
 * maps are absent on the wire when empty. `result` messages are not here: they
 * travel as zero-copy frames (ResultFrame.h). Any thread.
 */

namespace acquila::protocol {

/** The role a worker process was started in ("device" or "storage" on the wire). */
enum class WorkerRole : uint8_t { Device, Storage };
const char* workerRoleName(WorkerRole r);

/** Worker -> manager, first message on a connection. */
struct Hello {
    static constexpr MessageType kType = MessageType::Hello;
    qint64 version = kProtocolVersion;  // "version", >= 1
    QString token;                      // "token": session token from the environment
    qint64 pid = 0;                     // "pid", > 0
    int worker = 0;                     // "worker": worker id, >= 0
    WorkerRole role = WorkerRole::Device;  // "role"
    QCborMap encode() const;
    static util::Result<Hello> decode(const Message& m);
    bool operator==(const Hello&) const = default;
};

/** Manager -> worker after the hello: what to open and where to write. */
struct Configure {
    static constexpr MessageType kType = MessageType::Configure;
    model::LabConfig lab;                 // "lab" (LabConfig::toCbor)
    bool exclusive = false;        // "exclusive": this worker opens the exclusive devices
    double flushIntervalS = 0.5;   // "flush_interval_s", >= 0
    QString dataDirectory;         // "data_directory"
    QStringList skip;              // "skip": devices not to open (they hung while opening); optional
    QCborMap encode() const;
    static util::Result<Configure> decode(const Message& m);
    bool operator==(const Configure& o) const;
};

/** Worker -> manager: the devices it opened (reply to configure, close and move). */
struct Describe {
    static constexpr MessageType kType = MessageType::Describe;
    std::vector<model::DeviceDescription> devices;  // "devices" (DeviceDescription::toCbor each)
    QStringList errors;                      // "errors": devices that could not be opened; optional
    QCborMap encode() const;
    static util::Result<Describe> decode(const Message& m);
    bool operator==(const Describe& o) const;
};

/** Manager -> device worker: open a run. */
struct OpenRun {
    static constexpr MessageType kType = MessageType::Open;
    quint64 run = 0;             // "run", > 0
    QString plan;                // "plan": the plan as compact JSON text
    std::vector<double> origin;  // "origin": resolved start position per plan axis
    QCborMap encode() const;
    static util::Result<OpenRun> decode(const Message& m);
    bool operator==(const OpenRun&) const = default;
};

/** The "run" field of a message that may not decode (to answer for that run): a positive integer, else 0. */
quint64 runIdOf(const Message& m);

/** Manager -> device worker: close a run (restore properties, return to start). */
struct CloseRun {
    static constexpr MessageType kType = MessageType::Close;
    quint64 run = 0;  // "run", > 0
    QCborMap encode() const;
    static util::Result<CloseRun> decode(const Message& m);
    bool operator==(const CloseRun&) const = default;
};

/** Device worker -> manager: reply to `open` (T = Open) or `close` (T = Close). */
template <MessageType T>
struct RunReply {
    static constexpr MessageType kType = T;
    quint64 run = 0;  // "run": the run of the request; 0 when the request named none
    QString error;    // "error": why it failed; optional, empty = success
    QCborMap encode() const;
    static util::Result<RunReply> decode(const Message& m);
    bool operator==(const RunReply&) const = default;
};
using OpenReply = RunReply<MessageType::Open>;
using CloseReply = RunReply<MessageType::Close>;
extern template struct RunReply<MessageType::Open>;
extern template struct RunReply<MessageType::Close>;

/** Manager -> device worker: measure points [first, first + count). Message id = job id. */
struct JobRequest {
    static constexpr MessageType kType = MessageType::Job;
    quint64 run = 0;   // "run", > 0
    quint64 job = 0;   // "job", > 0
    qint64 first = 0;  // "first", >= 0
    qint64 count = 0;  // "count", >= 0
    QCborMap encode() const;
    static util::Result<JobRequest> decode(const Message& m);
    bool operator==(const JobRequest&) const = default;
};

/** Manager -> device worker: end the queued and running jobs. */
struct Cancel {
    static constexpr MessageType kType = MessageType::Cancel;
    model::CancelLevel level = model::CancelLevel::Stop;  // "level": 1 (stop) or 2 (abort)
    QCborMap encode() const;
    static util::Result<Cancel> decode(const Message& m);
    bool operator==(const Cancel&) const = default;
};

/** Device worker -> manager: a job failed. Message id = job id. */
struct ErrorReport {
    static constexpr MessageType kType = MessageType::Error;
    quint64 run = 0;   // "run": 0 when no run is open
    quint64 job = 0;   // "job"
    qint64 point = 0;  // "point": the point that failed
    QString device;    // "device": name of the failing device; empty when unknown
    QString op;        // "op": what failed ("job", "move", "read")
    QString message;   // "message"
    QCborMap encode() const;
    static util::Result<ErrorReport> decode(const Message& m);
    bool operator==(const ErrorReport&) const = default;
};

/** Worker -> manager: one log line. */
struct LogLine {
    static constexpr MessageType kType = MessageType::Log;
    int level = 2;  // "level": spdlog level, 0 (trace) .. 5 (critical), 6 (off)
    QString text;   // "text"
    QCborMap encode() const;
    static util::Result<LogLine> decode(const Message& m);
    bool operator==(const LogLine&) const = default;
};

/** Manager -> device worker: move one axis outside a run. */
struct MoveAxis {
    static constexpr MessageType kType = MessageType::Move;
    QString axis;         // "axis": full axis name, not empty
    double position = 0;  // "position": finite
    QCborMap encode() const;
    static util::Result<MoveAxis> decode(const Message& m);
    bool operator==(const MoveAxis&) const = default;
};

/** Manager -> device worker: set one property of one device outside a run ("set now"); answered by SetReply. */
struct SetProperty {
    static constexpr MessageType kType = MessageType::Set;
    QString device;    // "device", not empty
    QString property;  // "property": the property id, not empty
    QVariant value;    // "value": a boolean, a number or a string
    QCborMap encode() const;
    static util::Result<SetProperty> decode(const Message& m);
    bool operator==(const SetProperty&) const = default;
};

/**
 * Device worker -> manager: the outcome of `set` (T = Set) or `move` (T = Move) outside a
 * run, with the request's message id; a `describe` with the new values follows it.
 */
template <MessageType T>
struct ApplyReply {
    static constexpr MessageType kType = T;
    QVariant value;  // "value": the property or the position read back afterwards; optional
    QString error;   // "error": why it failed, naming the device; optional, empty = success
    QCborMap encode() const;
    static util::Result<ApplyReply> decode(const Message& m);
    bool operator==(const ApplyReply&) const = default;
};
using SetReply = ApplyReply<MessageType::Set>;
using MoveReply = ApplyReply<MessageType::Move>;
extern template struct ApplyReply<MessageType::Set>;
extern template struct ApplyReply<MessageType::Move>;

/** Device worker 0 -> manager: the monitored values, polled every `monitor_interval_s` while no run is open. */
struct Monitor {
    static constexpr MessageType kType = MessageType::Monitor;
    QMap<QString, double> positions;        // "positions": full axis name -> position
    QMap<QString, QVariantMap> properties;  // "properties": device -> monitored property id -> value (boolean, number or string)
    QCborMap encode() const;
    static util::Result<Monitor> decode(const Message& m);
    bool operator==(const Monitor&) const = default;
};

/** Either direction: liveness, no payload. */
struct Heartbeat {
    static constexpr MessageType kType = MessageType::Heartbeat;
    QCborMap encode() const { return {}; }
    static util::Result<Heartbeat> decode(const Message& m);
    bool operator==(const Heartbeat&) const = default;
};

/** Manager -> worker: end the process (storage closes its file first). No payload. */
struct Shutdown {
    static constexpr MessageType kType = MessageType::Shutdown;
    QCborMap encode() const { return {}; }
    static util::Result<Shutdown> decode(const Message& m);
    bool operator==(const Shutdown&) const = default;
};

/** The `op` of a `store` message (manager -> storage worker). */
enum class StoreOp : uint8_t { Open, Log, Flush, Finish, Seal };
const char* storeOpName(StoreOp op);

/**
 * Store op "open": create the run file. The layout (RunLayout::toCbor, built
 * once by the manager from the plan's own generators) says everything the
 * file holds; the storage worker decodes it with RunLayout::fromCbor.
 */
struct StoreOpen {
    static constexpr MessageType kType = MessageType::Store;
    static constexpr StoreOp kOp = StoreOp::Open;
    quint64 run = 0;     // "run", > 0
    QCborMap layout;     // "layout": the file layout
    QString directory;   // "directory": optional, empty = the data directory
    QCborMap encode() const;
    static util::Result<StoreOpen> decode(const Message& m);
    bool operator==(const StoreOpen& o) const;
};
/** Store op "log": one line for the run file's log. */
struct StoreLog {
    static constexpr MessageType kType = MessageType::Store;
    static constexpr StoreOp kOp = StoreOp::Log;
    qint64 timeMs = 0;  // "time_ms", ms since the epoch
    int level = 2;      // "level": 0 (trace) .. 5 (critical); a name on the wire, see levelName()
    QString text;       // "text"
    /** Wire name of `level`: "trace", "debug", "info", "warning", "error", "critical". */
    QString levelName() const;
    QCborMap encode() const;
    static util::Result<StoreLog> decode(const Message& m);
    bool operator==(const StoreLog&) const = default;
};

/** Store op "flush": write everything cached to disk now. */
struct StoreFlush {
    static constexpr MessageType kType = MessageType::Store;
    static constexpr StoreOp kOp = StoreOp::Flush;
    QCborMap encode() const;
    static util::Result<StoreFlush> decode(const Message& m);
    bool operator==(const StoreFlush&) const = default;
};

/** Store op "finish": write the run status and end snapshot, close the file. */
struct StoreFinish {
    static constexpr MessageType kType = MessageType::Store;
    static constexpr StoreOp kOp = StoreOp::Finish;
    model::RunStatus status = model::RunStatus::None;      // "status": RunStatus as an integer
    QString reason;                          // "reason": empty when completed
    std::vector<model::DeviceDescription> devices;  // "devices": end snapshot
    QCborMap encode() const;
    static util::Result<StoreFinish> decode(const Message& m);
    bool operator==(const StoreFinish& o) const;
};

/**
 * Store op "seal": a new storage worker completes the ".part" file its predecessor
 * left when it died: writes the status, reason and end time in place and renames the
 * file to its final name (storage::sealAbandonedFile). Answered by a `store_status`
 * "finished" for `run`, with the file's path after the seal and any error.
 */
struct StoreSeal {
    static constexpr MessageType kType = MessageType::Store;
    static constexpr StoreOp kOp = StoreOp::Seal;
    quint64 run = 0;                                   // "run", > 0
    QString path;                                      // "path": the ".part" file
    model::RunStatus status = model::RunStatus::None;  // "status": RunStatus as an integer
    QString reason;                                    // "reason"
    QCborMap encode() const;
    static util::Result<StoreSeal> decode(const Message& m);
    bool operator==(const StoreSeal&) const = default;
};

/** Any `store` message, decoded by its op. */
using StoreCommand = std::variant<StoreOpen, StoreLog, StoreFlush, StoreFinish, StoreSeal>;
util::Result<StoreCommand> decodeStoreCommand(const Message& m);

/** Storage worker -> manager: state of the file and the queue (type `store_status`). */
struct StoreStatus {
    static constexpr MessageType kType = MessageType::StoreStatus;
    /** "op": reply to open, a write error, reply to finish, or a periodic report. */
    enum class Op : uint8_t { Opened, Error, Finished, Progress };
    static const char* opName(Op op);
    Op op = Op::Progress;
    quint64 run = 0;               // "run": 0 before the first open
    qint64 processed = 0;          // "processed": result messages handled so far, >= 0
    double bytesPerSecond = 0;     // "bytes_per_s", >= 0
    qint64 freeBytes = -1;         // "free_bytes": free space of the directory the file is in, -1 unknown
    QString error;                 // "error": optional, empty = none
    QString path;                  // "path": optional; the file (opened, finished)
    std::optional<qint64> points;  // "points": optional; points written (finished), >= 0
    qint64 diskBytes = -1;         // "disk_bytes": optional; size of that disk, -1 unknown
    QCborMap encode() const;
    static util::Result<StoreStatus> decode(const Message& m);
    bool operator==(const StoreStatus&) const = default;
};

/** `value` as a Message of type T::kType with request id `id`. */
template <typename T>
Message toMessage(const T& value, quint64 id = 0) {
    return Message{T::kType, id, value.encode()};
}

}  // namespace acquila::protocol
