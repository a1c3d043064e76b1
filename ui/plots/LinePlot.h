#pragma once
#include "ui/plots/PlotCanvas.h"

namespace acquila::ui {

/**
 * A single line: either points appended as they arrive (0D detector against
 * the scan axis; every point kept, QCustomPlot's adaptive sampling keeps large
 * sets fast) or a whole curve replaced at once (latest spectrum). GUI thread only.
 */
class LinePlot : public PlotCanvas {
    Q_OBJECT
public:
    explicit LinePlot(QWidget* parent = nullptr);

    void setLabels(const QString& x, const QString& y);
    /** Adds points in any order; they are kept sorted by x. */
    void addPoints(const QVector<double>& x, const QVector<double>& y);
    /** Replaces the whole curve (x ascending). */
    void setCurve(const QVector<double>& x, const QVector<double>& y);
    /** Removes every point at `key` (a gap marker whose point arrived). */
    void removeKey(double key);
    void clear();
    int pointCount() const;
    QCPGraph* graph() const { return graph_; }

private:
    QCPGraph* graph_;
};

}  // namespace acquila::ui
