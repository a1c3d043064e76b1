#include "ui/plots/ImagePlot.h"

#include "ui/plots/ChannelValues.h"

#include <cmath>

namespace acquila::ui::plots {

ImagePlot::ImagePlot(QWidget* parent) : PlotCanvas(parent) {
    // Left-drag belongs to the ROI; the wheel still zooms.
    setInteractions(QCP::iRangeZoom);
    map_ = new QCPColorMap(xAxis, yAxis);
    scale_ = new QCPColorScale(this);
    plotLayout()->addElement(0, 1, scale_);
    map_->setColorScale(scale_);
    map_->setGradient(QCPColorGradient::gpGrayscale);
    map_->setInterpolate(false);
    yAxis->setRangeReversed(true);
    xAxis->setLabel(tr("x (pixel)"));
    yAxis->setLabel(tr("y (pixel)"));
    roiItem_ = new QCPItemRect(this);
    roiItem_->setPen(QPen(QColor(255, 80, 40), 2));
    roiItem_->setBrush(QColor(255, 80, 40, 40));
    roiItem_->setVisible(false);
    auto* margins = new QCPMarginGroup(this);
    axisRect()->setMarginGroup(QCP::msBottom | QCP::msTop, margins);
    scale_->setMarginGroup(QCP::msBottom | QCP::msTop, margins);
}

void ImagePlot::setValueLabel(const QString& label) { scale_->axis()->setLabel(label); }

void ImagePlot::setLatest(const model::ResultBatchPtr& batch, const QString& channel, qint64 point) {
    const model::Channel* c = batch ? batch->find(channel) : nullptr;
    if (!c || c->pointShape.size() != 2) return;
    latest_ = batch;
    channel_ = channel;
    latestPoint_ = point;
    latestIndex_ = batch->first + point;
    imageStale_ = true;
    const int h = static_cast<int>(c->pointShape[0]);
    const int w = static_cast<int>(c->pointShape[1]);
    if (w != width_ || h != height_) {
        width_ = w;
        height_ = h;
        map_->data()->setSize(w, h);
        map_->data()->setRange(QCPRange(0, w - 1), QCPRange(0, h - 1));
        if (roi_.x1 < roi_.x0) setRoi(Roi{w / 3, h / 3, 2 * w / 3, 2 * h / 3});
        else setRoi(roi_);
    }
    markDirty();
}

void ImagePlot::updateImage() {
    if (!imageStale_ || !latest_) return;
    imageStale_ = false;
    const model::Channel* c = latest_->find(channel_);
    if (!c) return;
    const qint64 base = latestPoint_ * static_cast<qint64>(width_) * height_;
    QCPColorMapData* d = map_->data();
    for (int y = 0; y < height_; ++y)
        for (int x = 0; x < width_; ++x) d->setCell(x, y, channelValue(*c, base + static_cast<qint64>(y) * width_ + x));
    // The batch may be large; keep only what the next image needs.
    latest_.reset();
}

void ImagePlot::autoRange() {
    updateImage();
    map_->rescaleDataRange(true);
    xAxis->setRange(-0.5, width_ - 0.5);
    yAxis->setRange(-0.5, height_ - 0.5);
}

void ImagePlot::setRoi(Roi roi) {
    roi_ = clampRoi(roi, width_, height_);
    placeRoiItem();
    markDirty();
}

void ImagePlot::placeRoiItem() {
    roiItem_->topLeft->setCoords(roi_.x0 - 0.5, roi_.y0 - 0.5);
    roiItem_->bottomRight->setCoords(roi_.x1 + 0.5, roi_.y1 + 0.5);
    roiItem_->setVisible(width_ > 0);
}

void ImagePlot::mousePressEvent(QMouseEvent* event) {
    const double x = xAxis->pixelToCoord(event->pos().x());
    const double y = yAxis->pixelToCoord(event->pos().y());
    const bool inside = x >= roi_.x0 - 0.5 && x <= roi_.x1 + 0.5 && y >= roi_.y0 - 0.5 && y <= roi_.y1 + 0.5;
    if (event->button() == Qt::LeftButton && inside && width_ > 0) {
        const bool corner = std::abs(x - (roi_.x1 + 0.5)) < 2 + width_ / 40.0 && std::abs(y - (roi_.y1 + 0.5)) < 2 + height_ / 40.0;
        drag_ = corner ? Drag::Resize : Drag::Move;
        dragStart_ = QPointF(x, y);
        dragRoi_ = roi_;
        event->accept();
        return;
    }
    PlotCanvas::mousePressEvent(event);
}

void ImagePlot::mouseMoveEvent(QMouseEvent* event) {
    if (drag_ == Drag::None) {
        PlotCanvas::mouseMoveEvent(event);
        return;
    }
    const int dx = static_cast<int>(std::lround(xAxis->pixelToCoord(event->pos().x()) - dragStart_.x()));
    const int dy = static_cast<int>(std::lround(yAxis->pixelToCoord(event->pos().y()) - dragStart_.y()));
    Roi r = dragRoi_;
    if (drag_ == Drag::Move) {
        const int w = r.x1 - r.x0, h = r.y1 - r.y0;
        r.x0 = qBound(0, r.x0 + dx, width_ - 1 - w);
        r.y0 = qBound(0, r.y0 + dy, height_ - 1 - h);
        r.x1 = r.x0 + w;
        r.y1 = r.y0 + h;
    } else {
        r.x1 = qMax(r.x0, r.x1 + dx);
        r.y1 = qMax(r.y0, r.y1 + dy);
    }
    setRoi(r);
    replot(QCustomPlot::rpQueuedReplot);
}

void ImagePlot::mouseReleaseEvent(QMouseEvent* event) {
    if (drag_ == Drag::None) {
        PlotCanvas::mouseReleaseEvent(event);
        return;
    }
    drag_ = Drag::None;
    if (!(roi_ == dragRoi_)) emit roiChanged(roi_);
}

QString ImagePlot::valueAt(double x, double y) const {
    int ix = 0, iy = 0;
    map_->data()->coordToCell(x, y, &ix, &iy);
    if (ix < 0 || iy < 0 || ix >= width_ || iy >= height_) return {};
    return QStringLiteral("value = %1").arg(map_->data()->cell(ix, iy), 0, 'g', 6);
}

}  // namespace acquila::ui::plots
