#include "ui/plots/DetectorView.h"

#include "ui/plots/ChannelValues.h"
#include "ui/plots/ImagePlot.h"
#include "ui/plots/LinePlot.h"
#include "ui/plots/MapPlot.h"

#include <QSplitter>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace acquila::ui::plots {

namespace {
constexpr qint64 kKeepBudgetBytes = 256LL * 1024 * 1024;
constexpr qint64 kRoiQueueBytes = 256LL * 1024 * 1024;
constexpr int kMaxWaterfallRows = 1000;
constexpr int kLineBins = 4096;  // the live line keeps every point of scans up to this length
}  // namespace

DetectorView::DetectorView(std::shared_ptr<const ScanContext> scan, const QString& detector, int rank,
                           const QString& unit, QWidget* parent)
    : QWidget(parent), scan_(std::move(scan)), detector_(detector), rank_(rank) {
    valueLabel_ = unit.isEmpty() ? detector : QStringLiteral("%1 (%2)").arg(detector, unit);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* split = new QSplitter(Qt::Horizontal, this);
    layout->addWidget(split);
    const QString scanValue = rank_ == 2 ? QStringLiteral("ROI sum of %1").arg(valueLabel_) : valueLabel_;
    if (rank_ == 1) {
        spectrum_ = new LinePlot(split);
        spectrum_->setLabels(tr("pixel"), valueLabel_);
        spectrum_->plotLayout()->insertRow(0);
        spectrum_->plotLayout()->addElement(0, 0, new QCPTextElement(spectrum_, tr("Latest spectrum")));
        waterfall_ = new MapPlot(split);
        ScanAxisInfo rows;
        rows.lo = 0;
        rows.hi = static_cast<double>(qMax<qint64>(0, scan_->total - 1));
        waterfallRows_ = static_cast<int>(qMin<qint64>(qMax<qint64>(1, scan_->total), kMaxWaterfallRows));
        rows.steps = waterfallRows_;
        ScanAxisInfo pixels;  // sized by the first spectrum
        pixels.steps = 1;
        waterfall_->configure(pixels, rows, valueLabel_);
        waterfall_->plotLayout()->insertRow(0);
        waterfall_->plotLayout()->addElement(0, 0, new QCPTextElement(waterfall_, tr("Waterfall over the scan")));
        split->addWidget(spectrum_);
        split->addWidget(waterfall_);
        split->setStretchFactor(0, 1);
        split->setStretchFactor(1, 1);
        return;
    }
    if (rank_ == 2) {
        image_ = new ImagePlot(split);
        image_->setValueLabel(valueLabel_);
        image_->plotLayout()->insertRow(0);
        image_->plotLayout()->addElement(0, 0, new QCPTextElement(image_, tr("Latest image (drag the ROI)")));
        split->addWidget(image_);
        connect(image_, &ImagePlot::roiChanged, this, &DetectorView::recomputeRoi);
    }
    PlotCanvas* scanPlot = nullptr;
    if (scan_->isMap) {
        map_ = new MapPlot(split);
        map_->configure(scan_->x, scan_->y, scanValue);
        scanPlot = map_;
    } else {
        line_ = new LinePlot(split);
        line_->setLabels(scan_->x.label(), scanValue);
        lineBins_ = std::make_unique<util::MinMaxBins>(scan_->total, kLineBins);
        scanPlot = line_;
    }
    split->addWidget(scanPlot);
    if (image_) {
        scanPlot->plotLayout()->insertRow(0);
        scanPlot->plotLayout()->addElement(0, 0, new QCPTextElement(scanPlot, tr("ROI sum over the scan")));
    }
    // Side-by-side plots share the width equally.
    for (int i = 0; i < split->count(); ++i) {
        split->setStretchFactor(i, 1);
        split->widget(i)->setMinimumWidth(280);
    }
}

QList<PlotCanvas*> DetectorView::canvases() const {
    QList<PlotCanvas*> out;
    for (PlotCanvas* c : {static_cast<PlotCanvas*>(line_), static_cast<PlotCanvas*>(map_),
                          static_cast<PlotCanvas*>(spectrum_), static_cast<PlotCanvas*>(waterfall_),
                          static_cast<PlotCanvas*>(image_)})
        if (c) out.push_back(c);
    return out;
}

void DetectorView::place(qint64 index, double value) {
    if (map_) {
        int ix = 0, iy = 0;
        if (mapCell(*scan_, index, &ix, &iy)) map_->setCell(ix, iy, value);
    }
}

void DetectorView::addBatch(const model::ResultBatchPtr& batch) {
    const model::Channel* c = batch->find(detector_);
    if (!c || batch->count <= 0) return;
    points_ += batch->count;
    if (rank_ == 1) {
        addSpectra(*batch, *c);
        return;
    }
    if (rank_ == 2) {
        image_->setLatest(batch, detector_, batch->count - 1);
        keep(batch, c->data.size());
        queueRoi(batch);
        return;
    }
    for (qint64 i = 0; i < batch->count; ++i) placeValue(batch->first + i, channelValue(*c, i));
}

void DetectorView::placeValue(qint64 index, double value) {
    if (!line_) {
        place(index, value);
        return;
    }
    lineBins_->add(index, value);
    lineDirty_ = true;
}

void DetectorView::keep(const model::ResultBatchPtr& batch, qint64 bytes) {
    if (keptComplete_ && keptBytes_ + bytes <= kKeepBudgetBytes) {
        kept_.push_back(batch);
        keptBytes_ += bytes;
        return;
    }
    keptComplete_ = false;
    kept_.clear();
}

void DetectorView::queueRoi(const model::ResultBatchPtr& batch) {
    const auto bytes = [this](const model::ResultBatchPtr& b) { return b->find(detector_)->data.size(); };
    roiQueue_.push_back(batch);
    roiQueueBytes_ += bytes(batch);
    while (roiQueueBytes_ > kRoiQueueBytes && roiQueue_.size() > 1) {
        roiQueueBytes_ -= bytes(roiQueue_.front());
        roiQueue_.erase(roiQueue_.begin());
    }
    startRoiSums();
}

void DetectorView::startRoiSums() {
    if (roiBusy_ || roiQueue_.empty()) return;
    roiBusy_ = true;
    std::vector<model::ResultBatchPtr> batches;
    batches.swap(roiQueue_);
    roiQueueBytes_ = 0;
    QtConcurrent::run([batches = std::move(batches), det = detector_, roi = image_->roi()] { return roiSums(batches, det, roi); })
        .then(this, [this, generation = roiGeneration_](const std::vector<std::pair<qint64, double>>& sums) {
            roiBusy_ = false;
            if (generation == roiGeneration_) {
                for (const auto& [index, value] : sums) placeValue(index, value);
                flushLine();
            }
            startRoiSums();
        });
}

double DetectorView::lineKey(qint64 index, std::vector<double>& pos) const {
    if (scan_->x.name.isEmpty() || index >= scan_->total) return static_cast<double>(index);
    scan_->generator->positions(index, pos.data());
    return pos[0];
}

void DetectorView::flushLine() {
    if (!line_ || !lineDirty_) return;
    lineDirty_ = false;
    std::vector<double> pos(static_cast<size_t>(qMax(1, scan_->generator->axisCount())));
    QVector<double> xs, ys;
    lineBins_->curve([&](qint64 i) { return lineKey(i, pos); }, xs, ys);
    line_->setSeries(xs, ys);
}

void DetectorView::addSpectra(const model::ResultBatch& batch, const model::Channel& c) {
    const qint64 n = c.elementsPerPoint();
    if (n <= 0) return;
    if (waterfall_->buffer().nx() != n) {
        ScanAxisInfo pixels;
        pixels.name = tr("pixel");
        pixels.lo = 0;
        pixels.hi = static_cast<double>(n - 1);
        pixels.steps = static_cast<int>(n);
        ScanAxisInfo rows;
        rows.name = tr("point");
        rows.lo = 0;
        rows.hi = static_cast<double>(qMax<qint64>(0, scan_->total - 1));
        rows.steps = waterfallRows_;
        waterfall_->configure(pixels, rows, valueLabel_);
    }
    std::vector<double> values(static_cast<size_t>(n));
    for (qint64 i = 0; i < batch.count; ++i) {
        const qint64 index = batch.first + i;
        channelToDoubles(c, i * n, n, values.data());
        const int row = scan_->total > waterfallRows_
                            ? static_cast<int>(index * waterfallRows_ / qMax<qint64>(1, scan_->total))
                            : static_cast<int>(index);
        for (qint64 p = 0; p < n; ++p) waterfall_->setCell(static_cast<int>(p), row, values[static_cast<size_t>(p)]);
        if (index >= latestSpectrum_) {
            latestSpectrum_ = index;
            QVector<double> xs(n), ys(n);
            for (qint64 p = 0; p < n; ++p) {
                xs[p] = static_cast<double>(p);
                ys[p] = values[static_cast<size_t>(p)];
            }
            spectrum_->setCurve(xs, ys);
        }
    }
}

void DetectorView::recomputeRoi(Roi roi) {
    if (!keptComplete_) return;  // too many images to keep: the new ROI applies from the next point on
    image_->setRoi(roi);
    ++roiGeneration_;
    if (line_) {
        line_->clear();
        lineBins_->clear();
    }
    if (map_) map_->configure(scan_->x, scan_->y, QStringLiteral("ROI sum of %1").arg(valueLabel_));
    roiQueue_ = kept_;  // every kept image, the queued ones included, is summed again
    roiQueueBytes_ = keptBytes_;
    startRoiSums();
}

int DetectorView::replotIfDirty() {
    int n = 0;
    for (PlotCanvas* c : canvases()) n += c->replotIfDirty() ? 1 : 0;
    return n;
}

}  // namespace acquila::ui::plots
