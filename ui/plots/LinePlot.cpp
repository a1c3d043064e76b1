#include "ui/plots/LinePlot.h"

namespace acquila::ui {

LinePlot::LinePlot(QWidget* parent) : PlotCanvas(parent) {
    graph_ = addGraph();
    graph_->setPen(QPen(QColor(31, 119, 180), 1.5));
    graph_->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 3));
    graph_->setAdaptiveSampling(true);
    // A thick pen would otherwise be stroked as a filled outline: 10x slower for 10^6 points.
    setPlottingHint(QCP::phFastPolylines, true);
}

void LinePlot::setLabels(const QString& x, const QString& y) {
    xAxis->setLabel(x);
    yAxis->setLabel(y);
}

void LinePlot::addPoints(const QVector<double>& x, const QVector<double>& y) {
    if (x.isEmpty()) return;
    // Large sets lose the point markers: they would only hide the line.
    if (graph_->dataCount() + x.size() > 2000) graph_->setScatterStyle(QCPScatterStyle::ssNone);
    graph_->addData(x, y, false);
    markDirty();
}

void LinePlot::setCurve(const QVector<double>& x, const QVector<double>& y) {
    graph_->setScatterStyle(QCPScatterStyle::ssNone);
    graph_->setData(x, y, true);
    markDirty();
}

void LinePlot::removeKey(double key) {
    graph_->data()->remove(key);
    markDirty();
}

void LinePlot::clear() {
    graph_->data()->clear();
    markDirty();
}

int LinePlot::pointCount() const { return graph_->dataCount(); }

}  // namespace acquila::ui
