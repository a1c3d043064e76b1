#include "ui/plots/MapPlot.h"

#include <cmath>

namespace acquila::ui::plots {

namespace {
QCPRange cellRange(const ScanAxisInfo& a) {
    // A single step still needs a visible cell.
    return a.hi > a.lo ? QCPRange(a.lo, a.hi) : QCPRange(a.lo - 0.5, a.lo + 0.5);
}
}  // namespace

MapPlot::MapPlot(QWidget* parent) : PlotCanvas(parent) {
    map_ = new QCPColorMap(xAxis, yAxis);
    scale_ = new QCPColorScale(this);
    plotLayout()->addElement(0, 1, scale_);
    scale_->setType(QCPAxis::atRight);
    map_->setColorScale(scale_);
    // Viridis: perceptually uniform and readable in grey print.
    QCPColorGradient g;
    g.setColorStops({{0.0, QColor(68, 1, 84)}, {0.25, QColor(59, 82, 139)}, {0.5, QColor(33, 145, 140)},
                     {0.75, QColor(94, 201, 98)}, {1.0, QColor(253, 231, 37)}});
    g.setNanHandling(QCPColorGradient::nhTransparent);
    map_->setGradient(g);
    map_->setInterpolate(false);
    auto* margins = new QCPMarginGroup(this);
    axisRect()->setMarginGroup(QCP::msBottom | QCP::msTop, margins);
    scale_->setMarginGroup(QCP::msBottom | QCP::msTop, margins);
}

void MapPlot::configure(const ScanAxisInfo& x, const ScanAxisInfo& y, const QString& valueLabel) {
    const int nx = qMax(1, x.steps);
    const int ny = qMax(1, y.steps);
    buffer_ = GridBuffer(nx, ny);
    map_->data()->setSize(nx, ny);
    map_->data()->setRange(cellRange(x), cellRange(y));
    map_->data()->fill(std::nan(""));
    xAxis->setLabel(x.label());
    yAxis->setLabel(y.label());
    scale_->axis()->setLabel(valueLabel);
    map_->setDataRange(QCPRange(0, 1));
    markDirty();
}

void MapPlot::setCell(int ix, int iy, double value) {
    if (!buffer_.set(ix, iy, value)) return;
    map_->data()->setCell(ix, iy, value);
    markDirty();
}

void MapPlot::autoRange() {
    if (buffer_.max() >= buffer_.min()) {
        const double pad = buffer_.max() > buffer_.min() ? 0 : 0.5;
        map_->setDataRange(QCPRange(buffer_.min() - pad, buffer_.max() + pad));
    }
    rescaleAxes();
    // rescaleAxes fits cell centres; widen by half a cell so edge cells show whole.
    const QCPColorMapData* d = map_->data();
    const double hx = d->keySize() > 1 ? d->keyRange().size() / (d->keySize() - 1) / 2 : 0.5;
    const double hy = d->valueSize() > 1 ? d->valueRange().size() / (d->valueSize() - 1) / 2 : 0.5;
    xAxis->setRange(d->keyRange().lower - hx, d->keyRange().upper + hx);
    yAxis->setRange(d->valueRange().lower - hy, d->valueRange().upper + hy);
}

QString MapPlot::valueAt(double x, double y) const {
    int ix = 0, iy = 0;
    map_->data()->coordToCell(x, y, &ix, &iy);
    const double v = buffer_.at(ix, iy);
    return std::isnan(v) ? QStringLiteral("value = —") : QStringLiteral("value = %1").arg(v, 0, 'g', 6);
}

}  // namespace acquila::ui::plots
