#pragma once
#include "ui/plots/PlotCanvas.h"

namespace acquila::ui::plots {

/**
 * A single line, replaced as a whole: the live 0D series of a scan (built by
 * util::MinMaxBins: every point of short scans, min/max per bin of long ones, NaN at
 * gaps) or the latest spectrum. GUI thread only.
 */
class LinePlot : public PlotCanvas {
    Q_OBJECT
public:
    explicit LinePlot(QWidget* parent = nullptr);

    void setLabels(const QString& x, const QString& y);
    /** Replaces the series (any x order; NaN values break the line), with markers when short. */
    void setSeries(const QVector<double>& x, const QVector<double>& y);
    /** Replaces the whole curve (x ascending). */
    void setCurve(const QVector<double>& x, const QVector<double>& y);
    void clear();
    /** Points shown (gap markers excluded). */
    int pointCount() const;
    QCPGraph* graph() const { return graph_; }

private:
    QCPGraph* graph_;
};

}  // namespace acquila::ui::plots
