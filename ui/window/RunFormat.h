#pragma once
#include "core/engine/EngineTypes.h"

#include <QString>

namespace acquila::ui::window {

/** Which run-control actions apply in a state. A value type. */
struct ControlEnables {
    bool start = false;
    bool pause = false;   // Running
    bool resume = false;  // Paused
    bool stop = false;
    bool abort = false;
    bool operator==(const ControlEnables&) const = default;
};

/** Run controls for `state`; `ready` = the workers described their devices and no shutdown is under way. */
ControlEnables controlEnables(model::RunState state, bool ready);

/** "12 s", "3 min 05 s", "2 h 04 min"; "—" for negative or non-finite input. */
QString formatDuration(double seconds);
/** Seconds left at the run's average rate; -1 when unknown (no points yet, or done). */
double remainingSeconds(qint64 done, qint64 total, double elapsedS);
/** "120 / 1271 points · elapsed 4 s · remaining 38 s". */
QString progressText(const engine::RunProgress& p);
/** One line for the status area: "Running grid-stage" or "Failed: <reason>". */
QString runStatusText(const engine::RunProgress& p);
/** Bytes as "12.3 MB", "1.2 GB"; "?" when negative. */
QString formatBytes(double bytes);

}  // namespace acquila::ui::window
