#pragma once
#include "ui/browser/H5Values.h"
#include <hdf5.h>
#include <QByteArray>
#include <functional>

namespace acquila::ui::browser {

/**
 * Writes the dataset `request.path` of the open `file` (or, for N-D data with a
 * `sliceIndex`, the 2D slice it selects) to CSV or NumPy .npy (float64).
 * Numeric data is streamed by row blocks; other types go to CSV as formatted text.
 * Loader thread only.
 */
ExportReply exportDataset(hid_t file, const QString& fileName, const ExportRequest& request,
                          const std::function<bool()>& cancelled);

/** The .npy v1.0 header for a little-endian float64 C-order array of `shape`. Pure. */
QByteArray npyHeader(const QVector<qint64>& shape);

}  // namespace acquila::ui::browser
