#pragma once
#include <QByteArray>
#include <QString>
#include <hdf5.h>

namespace acquila::storage {

/** Metadata read attempts of an SWMR-read open (HDF5's default is 100, with growing sleeps). */
constexpr unsigned kSwmrMetadataReadAttempts = 8;

/** How openForReading() got a file open. */
enum class ReadOpenMode { Plain, SwmrRead, IgnoringStatusFlags };

/**
 * Opens an HDF5 file read-only whatever its writer left behind, in order:
 * a plain open; an SWMR-read open (a file being written, or left by a killed
 * SWMR writer: docs/architecture.md, "Storage"); and an open that ignores the superblock's
 * "open for writing" flags (a writer that died outside SWMR mode, e.g. when
 * the disk filled up) — what `h5clear -s` would allow, without modifying the
 * file. Returns the file id (caller closes) or a negative id with `*error`
 * holding every attempt's reason. Call on the thread that owns HDF5 access.
 */
/**
 * A file-access property list with "clear_status_flags" set (what h5clear -s uses): an open
 * with it ignores the "open for writing" flags a dead writer left. -1 on failure (HDF5 stack set).
 */
hid_t clearStatusFlagsAccess();

hid_t openForReading(const QByteArray& path, ReadOpenMode* mode, QString* error);

}  // namespace acquila::storage
