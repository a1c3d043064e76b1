#pragma once
#include <QMetaType>
#include <QString>
#include <QStringList>
#include <QVector>
#include <cstdint>

// Value types exchanged between the browser loader thread and the GUI thread.
// All are plain copyable data: safe to pass through queued signals.
namespace acquila::ui::browser {

/** What a link in a group points at. */
enum class NodeKind { Group, Dataset, Datatype, Dangling, Other };

/** How the object is linked from its parent group. */
enum class LinkKind { Hard, Soft, External };

/** One child of a group, as listed by the loader. */
struct NodeInfo {
    QString name;
    QString path;        ///< absolute path through links, e.g. "/entry/data/x"
    NodeKind kind = NodeKind::Other;
    LinkKind link = LinkKind::Hard;
    QString linkTarget;  ///< "/a/b" for soft links, "file.h5:/a/b" for external ones
    QString nxClass;     ///< NeXus class of groups (empty when absent)
    QVector<qint64> shape;  ///< dataset dimensions; empty for scalars
    bool scalar = false;
    bool nullSpace = false;
    QString dtype;       ///< readable datatype description of datasets/datatypes
    qint64 storageBytes = -1;  ///< bytes on disk of datasets, -1 when unknown
    qint64 childCount = -1;    ///< links in a group, -1 when not a group
    QString error;       ///< why the object could not be inspected (empty when fine)
};

/** A page of a group's children, starting at `start` (link index, name order). */
struct ChildrenPage {
    quint64 epoch = 0;  ///< which opened file this page belongs to
    QString path;
    qint64 start = 0;
    qint64 total = 0;
    QVector<NodeInfo> nodes;
    QString error;
};

/** One attribute of an object, formatted for display. */
struct AttributeInfo {
    QString name;
    QString dtype;
    QString shape;
    QString value;
};

/** A table of formatted values (small datasets, compound fields). */
struct TableData {
    QStringList columns;
    QVector<QStringList> rows;
    bool truncated = false;
};

/** Attributes and small-value views of one object. */
struct ObjectDetails {
    quint64 generation = 0;
    QString path;
    NodeInfo node;
    QVector<AttributeInfo> attributes;
    QString text;    ///< strings / JSON (pretty-printed) / scalars, when suited
    TableData table; ///< values of small datasets
    QString error;
};

enum class PreviewKind { None, Text, Table, Line, Image, Message };

/** Asks for the preview of one object. `sliceIndex` fixes the leading N-2 dimensions. */
struct PreviewRequest {
    quint64 generation = 0;
    QString path;
    QVector<qint64> sliceIndex;
    int columns = 1200;       ///< pixel columns of the line plot: decimation target
    int imageSide = 512;      ///< image previews are strided to at most this many rows/cols
    qint64 readBudgetBytes = qint64(2) << 30;  ///< above this, lines are sampled, not scanned
    qint64 blockElements = qint64(1) << 21;     ///< hyperslab block size of streamed reads
};

/** A preview ready to show. Lines hold min/max pairs per column when decimated. */
struct PreviewData {
    quint64 generation = 0;
    QString path;
    PreviewKind kind = PreviewKind::None;
    QString title;
    QString message;          ///< for Message: why there is nothing to plot
    QString xLabel, yLabel, valueLabel;
    QVector<double> x, y;     ///< Line
    int imageRows = 0, imageCols = 0;
    QVector<double> image;    ///< Image, row-major imageRows x imageCols
    double xMin = 0, xMax = 0, yMin = 0, yMax = 0;  ///< Image extent in axis units
    QVector<qint64> shape;    ///< full shape of the dataset shown
    QVector<qint64> sliceIndex;
    QString text;
    TableData table;
    bool decimated = false;
    bool sampled = false;     ///< true when values were skipped (budget exceeded, images)
    qint64 bytesRead = 0;     ///< bytes requested from HDF5 for this preview
    qint64 peakBufferBytes = 0;  ///< largest buffer held at once
    bool cancelled = false;
};

/** Summary of an Acquila run file (has /entry/status). */
struct RunSummary {
    bool present = false;
    QString title, status, statusReason, startTime, endTime, plan;
    QStringList detectors;
    bool finalStatus() const {
        return status == "completed" || status == "stopped" || status == "aborted" || status == "failed" ||
               status == "interrupted";
    }
};

/** Result of opening a file. */
struct OpenReply {
    quint64 epoch = 0;
    QString file;
    bool ok = false;
    bool swmr = false;   ///< opened with SWMR-read after a plain open failed
    QString notice;      ///< shown, not an error (e.g. unclean close)
    QString error;
    NodeInfo root;
    RunSummary summary;
};

/** Result of a follow-live refresh. */
struct RefreshReply {
    quint64 generation = 0;
    NodeInfo node;       ///< the refreshed node (new shape)
    RunSummary summary;
    QString error;
};

enum class ExportFormat { Csv, Npy };

struct ExportRequest {
    QString path;
    QVector<qint64> sliceIndex;  ///< leading indices for N-D data; empty = whole dataset
    QString outFile;
    ExportFormat format = ExportFormat::Csv;
};

struct ExportReply {
    QString outFile;
    bool ok = false;
    QString error;
    qint64 values = 0;
};

}  // namespace acquila::ui::browser

Q_DECLARE_METATYPE(acquila::ui::browser::ChildrenPage)
Q_DECLARE_METATYPE(acquila::ui::browser::ObjectDetails)
Q_DECLARE_METATYPE(acquila::ui::browser::PreviewRequest)
Q_DECLARE_METATYPE(acquila::ui::browser::PreviewData)
Q_DECLARE_METATYPE(acquila::ui::browser::OpenReply)
Q_DECLARE_METATYPE(acquila::ui::browser::RefreshReply)
Q_DECLARE_METATYPE(acquila::ui::browser::ExportRequest)
Q_DECLARE_METATYPE(acquila::ui::browser::ExportReply)
