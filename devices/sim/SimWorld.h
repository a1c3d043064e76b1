#pragma once
#include <QString>
#include <utility>
#include <vector>

namespace acquila::devices {

/** Simulation state shared by the simulated devices of one worker (axis positions by full name). */
class SimWorld {
public:
    void setPosition(const QString& axis, double value);
    /** Position of an axis, or `fallback` if no device has that axis. */
    double position(const QString& axis, double fallback = 0.0) const;
    /**
     * Stable slot of an axis for hot paths (registers it with `initial` if no
     * device has published it yet). Slots are never removed, so an index stays
     * valid for the lifetime of the world. Executor thread only.
     */
    int slot(const QString& axis, double initial = 0.0);
    /** Position held by a slot from slot(); no lookup, no allocation. */
    double positionAt(int slot) const { return positions_[static_cast<size_t>(slot)].second; }
    void setPositionAt(int slot, double value) { positions_[static_cast<size_t>(slot)].second = value; }

private:
    std::vector<std::pair<QString, double>> positions_;  // executor thread only
};

}  // namespace acquila::devices
