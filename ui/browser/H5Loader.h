#pragma once
#include "ui/browser/H5Handle.h"
#include "ui/browser/H5Values.h"
#include <functional>

namespace acquila::ui::browser {

/**
 * Reads one HDF5 file for the browser: children, attributes, values, previews,
 * run summary, exports. Plain synchronous functions returning value structs, so
 * they are testable without widgets. All calls must come from one thread (in the
 * application: the browser loader thread); HDF5 errors become messages naming
 * the file and the object, never exceptions or crashes.
 */
class H5Loader {
public:
    using CancelCheck = std::function<bool()>;

    H5Loader();
    ~H5Loader();
    H5Loader(const H5Loader&) = delete;
    H5Loader& operator=(const H5Loader&) = delete;

    /** Opens `file` read-only, falling back to SWMR-read when a writer holds or left it open. */
    OpenReply open(const QString& file);
    void close();
    bool isOpen() const { return file_.valid(); }
    bool isSwmr() const { return swmr_; }
    const QString& fileName() const { return fileName_; }

    /** Up to `count` children of the group at `path`, from link index `start` (name order). */
    ChildrenPage children(const QString& path, qint64 start = 0, qint64 count = 1 << 30);

    /** Describes the object at `path` (following links); `node.error` says why when it cannot. */
    NodeInfo inspect(const QString& path);

    /** Attributes and, for small datasets, their values as a table or text. */
    ObjectDetails details(const QString& path, quint64 generation = 0);

    /** A preview of the object; `cancelled` is polled between hyperslab blocks. */
    PreviewData preview(const PreviewRequest& request, const CancelCheck& cancelled = {});

    /** Acquila run summary (present when /entry/status exists). */
    RunSummary summary();

    /** Re-reads the object's extent (H5Drefresh in SWMR mode) and the run summary. */
    RefreshReply refresh(const QString& path, quint64 generation = 0);

    /** Writes the dataset (or the 2D slice given by `sliceIndex`) to CSV or .npy. */
    ExportReply exportData(const ExportRequest& request, const CancelCheck& cancelled = {});

    /** Values up to this many elements are listed in the details table. */
    static constexpr qint64 kValueTableLimit = 10000;

private:
    NodeInfo describeObject(hid_t object, const QString& name, const QString& path);
    QString readText(const QString& path);
    QString where(const QString& path) const;

    H5Handle file_;
    QString fileName_;
    bool swmr_ = false;
};

}  // namespace acquila::ui::browser
