#include "core/storage/RunLayout.h"

#include <QSet>

namespace acquila::storage {

qint64 RunLayout::cellCount() const {
    qint64 n = 1;
    for (qint64 s : scanShape) n *= s;
    return scanShape.empty() ? 0 : n;
}

QString RunLayout::check() const {
    if (path.isEmpty()) return QStringLiteral("run layout: path is empty");
    const QString problem = checkContent();
    return problem.isEmpty() ? problem : QStringLiteral("%1: %2").arg(path, problem);
}

QString RunLayout::checkContent() const {
    if (scanShape.empty()) return QStringLiteral("run layout: scan shape is empty");
    for (size_t i = 0; i < scanShape.size(); ++i)
        if (scanShape[i] < 1) return QStringLiteral("run layout: scan shape dimension %1 is %2 (must be >= 1)").arg(i).arg(scanShape[i]);
    QSet<QString> names{QStringLiteral("timestamp"), QStringLiteral("point_index"), QStringLiteral("points_written")};
    for (const auto& a : axes) {
        QString n = nexusName(a.name);
        if (a.name.isEmpty() || names.contains(n)) return QStringLiteral("run layout: axis name '%1' is empty or used twice").arg(a.name);
        names.insert(n);
        if (a.storage == AxisStorage::Dimension) {
            if (a.dimension < 0 || a.dimension >= static_cast<int>(scanShape.size()))
                return QStringLiteral("run layout: axis '%1': dimension %2 is outside the scan shape").arg(a.name).arg(a.dimension);
            if (static_cast<qint64>(a.positions.size()) != scanShape[static_cast<size_t>(a.dimension)])
                return QStringLiteral("run layout: axis '%1': %2 positions for a dimension of %3").arg(a.name).arg(a.positions.size()).arg(scanShape[static_cast<size_t>(a.dimension)]);
        } else if (!a.positions.empty() && static_cast<qint64>(a.positions.size()) != scanShape.back()) {
            return QStringLiteral("run layout: axis '%1': %2 per-point positions for %3 points").arg(a.name).arg(a.positions.size()).arg(scanShape.back());
        }
    }
    QSet<QString> seen;
    for (const auto& c : channels) {
        if (c.name.isEmpty() || seen.contains(c.name)) return QStringLiteral("run layout: channel name '%1' is empty or used twice").arg(c.name);
        seen.insert(c.name);
        for (qint64 s : c.pointShape)
            if (s < 1) return QStringLiteral("run layout: channel '%1': point shape has a dimension of %2").arg(c.name).arg(s);
        if (c.role == ChannelRole::Timestamp && c.dtype != model::DType::Float64)
            return QStringLiteral("run layout: timestamp channel '%1' must be float64").arg(c.name);
    }
    return {};
}

CellMap snakeCellMap(std::vector<qint64> shape, int leadingRasterDims) {
    return [shape = std::move(shape), lead = leadingRasterDims](qint64 point) {
        const int n = static_cast<int>(shape.size());
        std::vector<qint64> digits(static_cast<size_t>(n));
        for (int k = n - 1; k >= 0; --k) {
            digits[static_cast<size_t>(k)] = point % shape[static_cast<size_t>(k)];
            point /= shape[static_cast<size_t>(k)];
        }
        // passes = how many lines of dimension k were traversed before this one,
        // counted over the snaked dimensions before k; odd passes run backwards.
        qint64 passes = 0;
        qint64 flat = 0;
        for (int k = 0; k < n; ++k) {
            const qint64 size = shape[static_cast<size_t>(k)];
            qint64 d = digits[static_cast<size_t>(k)];
            if (k > lead && (passes % 2) == 1) d = size - 1 - d;
            if (k >= lead) passes = passes * size + digits[static_cast<size_t>(k)];
            flat = flat * size + d;
        }
        return flat;
    };
}

CellMap RunLayout::cellMap() const {
    if (!snake) return {};
    return snakeCellMap(scanShape, leadingRasterDims);
}

qint64 flatCellIndex(const std::vector<qint64>& shape, const qint64* cell) {
    qint64 flat = 0;
    for (size_t k = 0; k < shape.size(); ++k) flat = flat * shape[k] + cell[k];
    return flat;
}

QString nexusName(const QString& name) {
    QString out = name;
    for (auto& ch : out)
        if (!(ch.isLetterOrNumber() && ch.unicode() < 128) && ch != QLatin1Char('_')) ch = QLatin1Char('_');
    return out;
}

}  // namespace acquila::storage
