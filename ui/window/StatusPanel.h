#pragma once
#include "core/engine/EngineTypes.h"

#include <QStatusBar>

class QLabel;
class QToolButton;

namespace acquila::ui::window {

/** "3 idle · 1 busy · 0 crashed" for the device and storage workers. Pure function. */
QString workersText(const std::vector<engine::WorkerStatus>& workers);

/**
 * The status bar: workers (idle/busy/crashed), storage queue fill and write
 * rate, free disk space (red when low), and the current run file with a
 * button that opens it in the HDF5 browser. GUI thread only.
 */
class StatusPanel : public QStatusBar {
    Q_OBJECT
public:
    explicit StatusPanel(QWidget* parent = nullptr);

    void setWorkers(const std::vector<engine::WorkerStatus>& workers);
    void setStorage(const engine::StorageStatus& status);
    /** The run's file (from the run's progress when storage reports none). */
    void setFile(const QString& path);
    QString file() const { return file_; }
    QString workersLabel() const;
    QString storageLabel() const;

signals:
    void openFileRequested(const QString& path);

private:
    QLabel* workers_;
    QLabel* storage_;
    QLabel* disk_;
    QLabel* fileLabel_;
    QToolButton* open_;
    QString file_;
};

}  // namespace acquila::ui::window
