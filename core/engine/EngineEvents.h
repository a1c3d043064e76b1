#pragma once
#include "core/engine/EngineTypes.h"

#include <QObject>

namespace acquila::core {

/**
 * The signals of the engine, declared once: the manager emits them on its
 * thread and Engine re-emits them, queued, on the thread that owns it.
 */
class EngineEvents : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;

    /** Re-emits every signal of `from` as this object's own signal (queued across threads). */
    void relay(EngineEvents* from);

signals:
    void devicesChanged(const std::vector<acquila::core::DeviceDescription>& devices);
    void progressChanged(const acquila::core::RunProgress& progress);
    void resultsReady(const acquila::core::BatchListPtr& batches);
    void runFinished(const acquila::core::RunProgress& progress);
    void workersChanged(const std::vector<acquila::core::WorkerStatus>& workers);
    void logged(const acquila::core::LogEntry& entry);
    void storageChanged(const acquila::core::StorageStatus& status);
    void poolFailed(const QString& error);
    void shutDown();
};

}  // namespace acquila::core
