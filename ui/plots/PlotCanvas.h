#pragma once
#include <qcustomplot.h>

namespace acquila::ui::plots {

/**
 * A QCustomPlot with what every live plot shares: a crosshair readout of the
 * cursor position, auto-range with a lock (locking keeps the user's zoom),
 * export to PNG/PDF from the context menu, and a dirty flag so replots happen
 * only on the panel's coalescing timer. GUI thread only.
 */
class PlotCanvas : public QCustomPlot {
    Q_OBJECT
public:
    explicit PlotCanvas(QWidget* parent = nullptr);

    /** Marks the plot as needing a replot at the next timer tick. */
    void markDirty() { dirty_ = true; }
    /** Rescales (unless locked) and replots if dirty; returns whether it replotted. */
    bool replotIfDirty();
    /** When locked, new data does not change the axis ranges. */
    void setRangeLocked(bool locked);
    bool rangeLocked() const { return locked_; }
    /** Writes the plot as PNG or PDF (chosen by the suffix); false with a message on failure. */
    bool exportTo(const QString& path, QString* error = nullptr);
    /** Text of the crosshair readout ("x = …, y = …"), empty when the cursor is outside. */
    QString readout() const;
    /** Called on each replot when unlocked; subclasses fit their ranges. Default: rescaleAxes. */
    virtual void autoRange();

protected:
    void mouseMoveEvent(QMouseEvent* event) override;
    void leaveEvent(QEvent* event) override;
    void contextMenuEvent(QContextMenuEvent* event) override;
    /** Extra readout (e.g. the value under the cursor of a colour map). */
    virtual QString valueAt(double x, double y) const;

private:
    void exportInteractive();

    QCPItemText* readout_;
    QCPItemStraightLine* vLine_;
    QCPItemStraightLine* hLine_;
    bool dirty_ = false;
    bool locked_ = false;
};

}  // namespace acquila::ui::plots
