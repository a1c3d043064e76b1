#pragma once
#include "ui/plots/ScanContext.h"

#include "core/engine/EngineTypes.h"

#include <QTabWidget>
#include <memory>

class QTimer;

namespace acquila::ui::plots {

class DetectorView;

/**
 * The live plots: one tab per detector of the current run. Batches are placed
 * as they arrive; replots happen on a coalescing timer (at most ~60 per
 * second) and only for the visible tab. GUI thread only.
 */
class PlotPanel : public QTabWidget {
    Q_OBJECT
public:
    explicit PlotPanel(QWidget* parent = nullptr);

    /** Clears the tabs and creates one per detector of `scan.plan` for run `runId`. */
    void beginRun(quint64 runId, std::shared_ptr<const ScanContext> scan, const std::vector<model::DeviceDescription>& devices);
    /** Places the batches of the current run; others are ignored. */
    void addBatches(const engine::BatchListPtr& batches);
    quint64 runId() const { return runId_; }
    std::shared_ptr<const ScanContext> scan() const { return scan_; }
    DetectorView* view(const QString& detector) const;
    QList<DetectorView*> views() const { return views_; }
    /** Replots done so far (for the benchmark's frame rate). */
    qint64 frames() const { return frames_; }
    /** Replots the visible tab now if it changed (the timer normally does this). */
    void replotNow();

private:
    quint64 runId_ = 0;
    std::shared_ptr<const ScanContext> scan_;
    QList<DetectorView*> views_;
    QTimer* timer_;
    qint64 frames_ = 0;
};

}  // namespace acquila::ui::plots
