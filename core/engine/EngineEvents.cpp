#include "core/engine/EngineEvents.h"

namespace acquila::engine {

void EngineEvents::relay(EngineEvents* from) {
    using E = EngineEvents;
    connect(from, &E::devicesChanged, this, &E::devicesChanged);
    connect(from, &E::progressChanged, this, &E::progressChanged);
    connect(from, &E::runFinished, this, &E::runFinished);
    connect(from, &E::workersChanged, this, &E::workersChanged);
    connect(from, &E::storageChanged, this, &E::storageChanged);
    connect(from, &E::poolFailed, this, &E::poolFailed);
    connect(from, &E::setNowFinished, this, &E::setNowFinished);
    connect(from, &E::monitored, this, &E::monitored);
    connect(from, &E::shutDown, this, &E::shutDown);
}

}  // namespace acquila::engine
