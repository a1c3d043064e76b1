#pragma once
#include "ui/plots/PlotCanvas.h"
#include "ui/plots/RoiSum.h"

#include "core/model/ResultBatch.h"

namespace acquila::ui::plots {

/**
 * The latest 2D detector image with a draggable ROI rectangle (drag inside to
 * move it, drag its lower-right corner to resize). Only the image shown at
 * a replot is converted, however fast images arrive. GUI thread only.
 */
class ImagePlot : public PlotCanvas {
    Q_OBJECT
public:
    explicit ImagePlot(QWidget* parent = nullptr);

    /** Remembers image `point` of `batch`'s channel `channel` as the one to show next. */
    void setLatest(const model::ResultBatchPtr& batch, const QString& channel, qint64 point);
    void setValueLabel(const QString& label);
    void setRoi(Roi roi);
    Roi roi() const { return roi_; }
    /** Index of the image shown (or about to be), -1 before the first. */
    qint64 latestIndex() const { return latestIndex_; }
    int imageWidth() const { return width_; }
    int imageHeight() const { return height_; }
    void autoRange() override;

signals:
    /** The user moved or resized the ROI. */
    void roiChanged(acquila::ui::plots::Roi roi);

protected:
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    QString valueAt(double x, double y) const override;

private:
    void updateImage();
    void placeRoiItem();

    QCPColorMap* map_;
    QCPColorScale* scale_;
    QCPItemRect* roiItem_;
    model::ResultBatchPtr latest_;
    QString channel_;
    qint64 latestPoint_ = 0;
    qint64 latestIndex_ = -1;
    bool imageStale_ = false;
    int width_ = 0;
    int height_ = 0;
    Roi roi_;
    enum class Drag { None, Move, Resize } drag_ = Drag::None;
    QPointF dragStart_;
    Roi dragRoi_;
};

}  // namespace acquila::ui::plots
