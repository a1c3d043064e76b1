#pragma once
#include "ui/plots/GridBuffer.h"
#include "ui/plots/PlotCanvas.h"
#include "ui/plots/ScanContext.h"

namespace acquila::ui::plots {

/**
 * A colour map filling in as points arrive: cells not yet measured are
 * transparent (NaN), the colour scale follows the measured values unless the
 * range is locked. GUI thread only.
 */
class MapPlot : public PlotCanvas {
    Q_OBJECT
public:
    explicit MapPlot(QWidget* parent = nullptr);

    /** Resets to an empty x.steps by y.steps map covering the axes' ranges. */
    void configure(const ScanAxisInfo& x, const ScanAxisInfo& y, const QString& valueLabel);
    void setCell(int ix, int iy, double value);
    const GridBuffer& buffer() const { return buffer_; }
    QCPColorMap* colorMap() const { return map_; }
    void autoRange() override;

protected:
    QString valueAt(double x, double y) const override;

private:
    QCPColorMap* map_;
    QCPColorScale* scale_;
    GridBuffer buffer_;
};

}  // namespace acquila::ui::plots
