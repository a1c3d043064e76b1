#pragma once
#include "core/plan/Plan.h"

#include <QString>
#include <QVariant>
#include <variant>

namespace acquila::engine {

/** What the application asks of the engine: values queued from Engine to the manager thread. */
namespace command {
struct Enqueue {
    quint64 runId = 0;
    plan::Plan plan;
};
struct Dequeue {
    quint64 runId = 0;  // a queued run that has not started
};
struct Pause {};
struct Resume {};
struct Stop {};
struct Abort {};
/** Set a property or move an axis now, outside a run (Engine::setNow, Engine::moveAxis). */
struct SetNow {
    quint64 requestId = 0;
    QString target;  // an axis ("motor", "stage.x") or "DEVICE.PROPERTY"
    QVariant value;  // typed, or text to parse following the declared type
};
struct Shutdown {};
}  // namespace command

using EngineCommand = std::variant<command::Enqueue, command::Dequeue, command::Pause, command::Resume, command::Stop,
                                   command::Abort, command::SetNow, command::Shutdown>;

}  // namespace acquila::engine
