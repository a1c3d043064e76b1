#include "core/plan/PointsCsv.h"

#include <QFile>
#include <QFileInfo>
#include <algorithm>
#include <cmath>

namespace acquila::plan {

namespace {
using Columns = std::vector<std::vector<double>>;
constexpr qint64 kMaxFileBytes = 256ll << 20;
constexpr qint64 kMaxLineBytes = 4096;

bool parseNumber(const QString& cell, double* out) {
    bool ok = false;
    *out = cell.toDouble(&ok);
    return ok && std::isfinite(*out);
}
}  // namespace

util::Result<Columns> readPointsCsv(const QString& path, const QStringList& axes) {
    const QFileInfo info(path);
    const QString label = info.fileName();
    // Checked before opening: a FIFO or a device would block or never end.
    if (info.exists() && !info.isFile())
        return util::Result<Columns>::failure(QStringLiteral("cannot read '%1': not a regular file").arg(path));
    if (info.size() > kMaxFileBytes)
        return util::Result<Columns>::failure(QStringLiteral("cannot read '%1': larger than %2 MiB").arg(path).arg(kMaxFileBytes >> 20));
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly | QIODevice::Text))
        return util::Result<Columns>::failure(QStringLiteral("cannot read '%1': %2").arg(path, f.errorString()));
    if (f.size() > kMaxPointsCsvBytes)  // refused before reading it
        return util::Result<Columns>::failure(
            QStringLiteral("%1: %2 bytes is above the limit of %3 bytes for a points file").arg(label).arg(f.size()).arg(kMaxPointsCsvBytes));

    // Errors give the position only, never the file's content: the file may be anything.
    const auto fail = [&](int line, const QString& what) {
        return util::Result<Columns>::failure(QStringLiteral("%1: line %2: %3").arg(label).arg(line).arg(what));
    };
    const auto failAt = [&](int line, qsizetype column, const QString& what) {
        return util::Result<Columns>::failure(QStringLiteral("%1: line %2, column %3: %4").arg(label).arg(line).arg(column + 1).arg(what));
    };
    Columns columns(static_cast<size_t>(axes.size()));
    std::vector<int> columnOfAxis;  // CSV column feeding each axis
    int expectedCells = -1;
    int lineNo = 0;
    while (!f.atEnd()) {
        ++lineNo;
        const QByteArray raw = f.readLine(kMaxLineBytes + 1);
        if (!raw.endsWith('\n') && !f.atEnd()) return fail(lineNo, QStringLiteral("longer than %1 bytes").arg(kMaxLineBytes));
        const QString line = QString::fromUtf8(raw).trimmed();
        if (line.isEmpty() || line.startsWith(QLatin1Char('#'))) continue;
        QStringList cells = line.split(QLatin1Char(','));
        for (QString& c : cells) c = c.trimmed();

        if (expectedCells < 0) {
            expectedCells = static_cast<int>(cells.size());
            double dummy = 0;
            const bool header = std::any_of(cells.cbegin(), cells.cend(), [&](const QString& c) { return !parseNumber(c, &dummy); });
            if (header) {
                for (const QString& axis : axes) {
                    const auto col = cells.indexOf(axis);
                    if (col < 0) return fail(lineNo, QStringLiteral("the header row names no column '%1'").arg(axis));
                    columnOfAxis.push_back(static_cast<int>(col));
                }
                for (qsizetype c = 0; c < cells.size(); ++c)
                    if (!axes.contains(cells[c]))
                        return failAt(lineNo, c, QStringLiteral("the header names a column that is not an axis of the plan (axes: %1)")
                                                     .arg(axes.join(QLatin1String(", "))));
                continue;
            }
            if (cells.size() != axes.size())
                return fail(lineNo, QStringLiteral("expected %1 values (one per axis: %2), got %3")
                                        .arg(axes.size())
                                        .arg(axes.join(QLatin1String(", ")))
                                        .arg(cells.size()));
            for (int i = 0; i < axes.size(); ++i) columnOfAxis.push_back(i);
        }
        if (cells.size() != expectedCells)
            return fail(lineNo, QStringLiteral("expected %1 values, got %2").arg(expectedCells).arg(cells.size()));
        for (size_t a = 0; a < columns.size(); ++a) {
            const int col = columnOfAxis[a];
            double v = 0;
            if (!parseNumber(cells[col], &v))
                return failAt(lineNo, col, QStringLiteral("expected a finite number"));
            columns[a].push_back(v);
        }
    }
    if (columns.empty() || columns.front().empty())
        return util::Result<Columns>::failure(QStringLiteral("%1: no points (expected one row per point)").arg(label));
    return columns;
}

}  // namespace acquila::plan
