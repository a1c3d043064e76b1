#include "core/storage/Hdf5Open.h"

#include "core/storage/Hdf5Util.h"

namespace acquila::storage {

hid_t clearStatusFlagsAccess() {
    const hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    hbool_t clear = 1;
    if (fapl >= 0 && H5Pset(fapl, "clear_status_flags", &clear) < 0) {
        H5Pclose(fapl);
        return -1;
    }
    return fapl;
}

hid_t openForReading(const QByteArray& path, ReadOpenMode* mode, QString* error) {
    h5::quietErrors();
    hid_t f = H5Fopen(path.constData(), H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f >= 0) {
        *mode = ReadOpenMode::Plain;
        return f;
    }
    const QString plain = h5::takeErrorStack();
    // An SWMR reader retries a metadata read whose checksum fails (the writer may be mid-flush),
    // 100 times by default with a growing sleep: seconds per damaged object in a corrupt file.
    // A torn read of a live file passes on the next attempt or two; a few more suffice.
    hid_t swmrFapl = H5Pcreate(H5P_FILE_ACCESS);
    if (swmrFapl >= 0) H5Pset_metadata_read_attempts(swmrFapl, kSwmrMetadataReadAttempts);
    f = H5Fopen(path.constData(), H5F_ACC_RDONLY | H5F_ACC_SWMR_READ, swmrFapl >= 0 ? swmrFapl : H5P_DEFAULT);
    if (swmrFapl >= 0) H5Pclose(swmrFapl);
    if (f >= 0) {
        *mode = ReadOpenMode::SwmrRead;
        return f;
    }
    const QString swmr = h5::takeErrorStack();
    // Read-only, ignoring the status flags changes nothing on disk.
    const hid_t fapl = clearStatusFlagsAccess();
    if (fapl >= 0) {
        f = H5Fopen(path.constData(), H5F_ACC_RDONLY, fapl);
        H5Pclose(fapl);
    }
    if (f >= 0) {
        h5::takeErrorStack();
        *mode = ReadOpenMode::IgnoringStatusFlags;
        return f;
    }
    const QString forced = h5::takeErrorStack();
    *error = QStringLiteral("%1; SWMR-read open: %2; ignoring status flags: %3").arg(plain, swmr, forced);
    return -1;
}

}  // namespace acquila::storage
