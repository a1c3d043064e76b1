#pragma once
#include <QVector>
#include <QtGlobal>
#include <functional>
#include <vector>

namespace acquila::ui {

/**
 * The live 0D line of a scan as at most `maxBins` index bins, each keeping its
 * minimum and maximum (and where they are). Scans up to `maxBins` points keep
 * every point; longer ones keep the extremes of each bin, so a spike is never
 * lost while the plot costs the same at 10^3 and 10^7 points. Points may
 * arrive in any order; an empty bin between filled ones is a gap, drawn as a
 * break. Pure logic; one thread.
 */
class LineBins {
public:
    explicit LineBins(qint64 total, int maxBins = 4096);

    void add(qint64 index, double value);
    void clear();
    /** Curve points in index order; `keyOf(index)` gives the x of a point. Gaps become NaN. */
    void curve(const std::function<double(qint64)>& keyOf, QVector<double>& xs, QVector<double>& ys) const;
    qint64 total() const { return total_; }

private:
    struct Bin {
        double min = 0, max = 0;
        qint64 minAt = -1, maxAt = -1;
    };
    qint64 total_;
    qint64 perBin_;
    std::vector<Bin> bins_;
};

}  // namespace acquila::ui
