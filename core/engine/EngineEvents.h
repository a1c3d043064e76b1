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
    void shutDown();
};

}  // namespace acquila::engine
