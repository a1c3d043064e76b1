#pragma once
#include "ui/browser/H5Values.h"
#include <hdf5.h>
#include <QString>
#include <QStringList>

// Datatype descriptions and value formatting for the browser. Loader thread only.
namespace acquila::ui::browser::h5format {

/** Readable description of an HDF5 datatype, e.g. "int32 BE", "vlen string UTF-8". */
QString describeType(hid_t type);

/** True for integer and floating-point types (which HDF5 converts to double). */
bool isNumeric(hid_t type);

/** True for string types (fixed or variable length). */
bool isString(hid_t type);

/** Formats one element at `p` laid out as memory type `memType`; `loc` resolves references. */
QString formatElement(hid_t memType, const char* p, hid_t loc);

/** "2 x 3", "scalar", "null" for a dataspace. */
QString describeSpace(hid_t space);

/** Innermost message of the current HDF5 error stack (then clears it); `fallback` if none. */
QString lastError(const QString& fallback = QString());

/** Elements and text of a dataset or attribute read for display. */
struct FormattedValues {
    QVector<qint64> shape;
    QStringList fields;  ///< compound member names when split; values then hold one per field
    QStringList values;  ///< row-major, at most the limit given
    bool truncated = false;
    QString error;
};

/**
 * Reads up to `limit` elements of a dataset (or all of an attribute) and formats them.
 * With `splitCompound`, compound elements give one value per member (see `fields`).
 */
FormattedValues readFormatted(hid_t object, bool isAttribute, qint64 limit, bool splitCompound = false);

/** Pretty-prints `text` when it is a JSON object or array; otherwise returns it unchanged. */
QString prettyJson(const QString& text);

/** "1.5 MB" style byte count. */
QString formatBytes(qint64 bytes);

}  // namespace acquila::ui::browser::h5format
