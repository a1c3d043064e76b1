#include "devices/sim/SimWorld.h"

namespace acquila::devices {

void SimWorld::setPosition(const QString& axis, double value) {
    positions_[static_cast<size_t>(slot(axis, value))].second = value;
}

double SimWorld::position(const QString& axis, double fallback) const {
    for (const auto& [name, value] : positions_)
        if (name == axis) return value;
    return fallback;
}

int SimWorld::slot(const QString& axis, double initial) {
    for (size_t i = 0; i < positions_.size(); ++i)
        if (positions_[i].first == axis) return static_cast<int>(i);
    positions_.emplace_back(axis, initial);
    return static_cast<int>(positions_.size() - 1);
}

}  // namespace acquila::devices
