#pragma once
#include "core/engine/EngineTypes.h"

#include <QObject>

namespace acquila::engine {

/**
 * The signals of the engine, declared once: the manager emits them on its
 * thread and Engine re-emits them, queued, on the thread that owns it.
 */
class EngineEvents : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;

    /**
     * Re-emits the state signals of `from` as this object's own (queued across threads);
     * results and log lines are not relayed: Engine delivers them through bounded mailboxes.
     */
    void relay(EngineEvents* from);

signals:
    void devicesChanged(const std::vector<acquila::model::DeviceDescription>& devices);
    void progressChanged(const acquila::engine::RunProgress& progress);
    void resultsReady(const acquila::engine::BatchListPtr& batches);
    void runFinished(const acquila::engine::RunProgress& progress);
    void workersChanged(const std::vector<acquila::engine::WorkerStatus>& workers);
    void logged(const acquila::engine::LogEntry& entry);
    void storageChanged(const acquila::engine::StorageStatus& status);
    void poolFailed(const QString& error);
    /** The outcome of Engine::setNow (also of moveAxis), once every worker asked has answered or the deadline passed. */
    void setNowFinished(const acquila::engine::SetNowResult& result);
    /** Monitored values, every `monitor_interval_s` while no run is active (none during a run). */
    void monitored(const acquila::engine::MonitorValues& values);
    void shutDown();
};

}  // namespace acquila::engine
