#pragma once
#include "core/util/MinMaxBins.h"
#include "ui/plots/RoiSum.h"
#include "ui/plots/ScanContext.h"

#include "core/model/ResultBatch.h"

#include <QWidget>
#include <memory>

namespace acquila::ui::plots {

class ImagePlot;
class LinePlot;
class MapPlot;
class PlotCanvas;

/**
 * One detector's tab. 0D: a line against the scan axis, or a colour map for
 * 2D grids. 1D: the latest spectrum plus a waterfall over the scan. 2D: the
 * latest image plus the ROI sum over the scan (line or map). GUI thread only.
 */
class DetectorView : public QWidget {
    Q_OBJECT
public:
    /** `rank` is the number of dimensions of one point of the output (0, 1 or 2). */
    DetectorView(std::shared_ptr<const ScanContext> scan, const QString& detector, int rank, const QString& unit,
                 QWidget* parent = nullptr);

    void addBatch(const model::ResultBatchPtr& batch);
    /** Hands the line plot its new curve after a series of addBatch() calls. */
    void flushLine();
    /** Replots the plots that changed; returns how many replotted. */
    int replotIfDirty();

    const QString& detector() const { return detector_; }
    int rank() const { return rank_; }
    /** Points of this detector received so far. */
    qint64 pointsShown() const { return points_; }
    /** True while ROI sums are being computed or wait to be. */
    bool roiPending() const { return roiBusy_ || !roiQueue_.empty(); }
    /** The scan-level plot: a LinePlot or MapPlot (0D values or ROI sums). */
    LinePlot* line() const { return line_; }
    MapPlot* map() const { return map_; }
    LinePlot* spectrum() const { return spectrum_; }
    MapPlot* waterfall() const { return waterfall_; }
    ImagePlot* image() const { return image_; }
    /** Every plot of the tab. */
    QList<PlotCanvas*> canvases() const;

private:
    double lineKey(qint64 index, std::vector<double>& pos) const;
    void place(qint64 index, double value);
    void addSpectra(const model::ResultBatch& batch, const model::Channel& c);
    void recomputeRoi(Roi roi);
    void placeValue(qint64 index, double value);
    void keep(const model::ResultBatchPtr& batch, qint64 bytes);
    void queueRoi(const model::ResultBatchPtr& batch);
    /** Starts the next ROI task when none runs. */
    void startRoiSums();

    std::shared_ptr<const ScanContext> scan_;
    QString detector_;
    int rank_;
    QString valueLabel_;
    LinePlot* line_ = nullptr;
    MapPlot* map_ = nullptr;
    LinePlot* spectrum_ = nullptr;
    MapPlot* waterfall_ = nullptr;
    ImagePlot* image_ = nullptr;
    qint64 points_ = 0;
    qint64 latestSpectrum_ = -1;
    int waterfallRows_ = 0;
    // Batches kept so a moved ROI can be re-summed over the scan, up to a memory budget.
    std::vector<model::ResultBatchPtr> kept_;
    std::unique_ptr<util::MinMaxBins> lineBins_;  // what line_ shows, rebuilt by flushLine()
    bool lineDirty_ = false;
    qint64 keptBytes_ = 0;
    bool keptComplete_ = true;
    // ROI sums waiting for the pool, bounded: beyond the budget the oldest are skipped (display only).
    std::vector<model::ResultBatchPtr> roiQueue_;
    qint64 roiQueueBytes_ = 0;
    bool roiBusy_ = false;
    quint64 roiGeneration_ = 0;  // bumped when the ROI moves: sums of older generations are stale
};

}  // namespace acquila::ui::plots
