#pragma once
#include "core/util/Result.h"

#include <QString>
#include <QStringList>
#include <vector>

namespace acquila::plan {

/** Largest points file read (resources/plans/README.md, "Limits"). */
inline constexpr qint64 kMaxPointsCsvBytes = 64 << 20;

/**
 * Reads the points of a list scan from a CSV file: one row per point, one
 * comma-separated column per axis. An optional first row naming the axes
 * (any order) maps columns to axes; without it columns follow `axes`.
 * Empty lines and lines starting with '#' are skipped. Returns one column of
 * values per entry of `axes`; errors name the file and line, e.g.
 * "points.csv: line 4, column 2: expected a number, got \"abc\"". Any thread.
 */
util::Result<std::vector<std::vector<double>>> readPointsCsv(const QString& path, const QStringList& axes);

}  // namespace acquila::plan
