#pragma once
#include "core/plan/Plan.h"

#include <QString>
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
struct MoveAxis {
    QString axis;  // outside of a run (device panel's "move to")
    double position = 0;
};
struct Shutdown {};
}  // namespace command

using EngineCommand = std::variant<command::Enqueue, command::Dequeue, command::Pause, command::Resume, command::Stop,
                                   command::Abort, command::MoveAxis, command::Shutdown>;

}  // namespace acquila::engine
