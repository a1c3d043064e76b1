#include "ui/browser/H5Loader.h"

#include "core/storage/Hdf5Open.h"
#include "ui/browser/DataExport.h"
#include "ui/browser/H5Format.h"
#include "ui/browser/H5Preview.h"
#include <H5Cpp.h>
#include <QFileInfo>
#include <vector>

namespace acquila::ui::browser {
namespace {

using namespace h5format;

QString childPath(const QString& parent, const QString& name) {
    return parent.endsWith('/') ? parent + name : parent + '/' + name;
}

QByteArray pathBytes(const QString& path) { return path.isEmpty() ? QByteArray("/") : path.toUtf8(); }

struct IterateState {
    qint64 wanted;
    QStringList names;
};

herr_t collectName(hid_t, const char* name, const H5L_info_t*, void* data) {
    auto* s = static_cast<IterateState*>(data);
    s->names << QString::fromUtf8(name);
    return qint64(s->names.size()) >= s->wanted ? 1 : 0;
}

herr_t collectAttribute(hid_t loc, const char* name, const H5A_info_t*, void* data) {
    auto* out = static_cast<QVector<AttributeInfo>*>(data);
    AttributeInfo info;
    info.name = QString::fromUtf8(name);
    H5Handle attr(H5Aopen(loc, name, H5P_DEFAULT));
    if (!attr.valid()) {
        info.value = QStringLiteral("<cannot open: %1>").arg(lastError());
        out->append(info);
        return 0;
    }
    H5Handle type(H5Aget_type(attr));
    H5Handle space(H5Aget_space(attr));
    info.dtype = type.valid() ? describeType(type) : QStringLiteral("?");
    info.shape = space.valid() ? describeSpace(space) : QStringLiteral("?");
    const FormattedValues v = readFormatted(attr, true, 1 << 20);
    if (!v.error.isEmpty())
        info.value = QStringLiteral("<unreadable: %1>").arg(v.error);
    else if (v.values.size() == 1 && v.shape.isEmpty())
        info.value = prettyJson(v.values.front());
    else
        info.value = QStringLiteral("[%1]").arg(v.values.join(", "));
    out->append(info);
    return 0;
}

}  // namespace

H5Loader::H5Loader() {
    // Errors are reported as messages; HDF5's own printing to stderr would only confuse.
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    H5::Exception::dontPrint();
}

H5Loader::~H5Loader() { close(); }

void H5Loader::close() {
    file_.reset();
    swmr_ = false;
}

QString H5Loader::where(const QString& path) const { return QStringLiteral("%1 in '%2'").arg(path, fileName_); }

OpenReply H5Loader::open(const QString& file) {
    close();
    fileName_ = file;
    OpenReply reply;
    reply.file = file;
    const QFileInfo info(file);
    if (!info.exists()) {
        reply.error = QStringLiteral("Cannot open '%1': no such file").arg(file);
        return reply;
    }
    if (info.size() == 0) {
        reply.error = QStringLiteral("Cannot open '%1': the file is empty, not an HDF5 file").arg(file);
        return reply;
    }
    const QByteArray name = QFile::encodeName(file);
    if (H5Fis_hdf5(name.constData()) <= 0) {
        H5Eclear2(H5E_DEFAULT);
        reply.error = QStringLiteral("Cannot open '%1': not an HDF5 file (no HDF5 signature found)").arg(file);
        return reply;
    }
    storage::ReadOpenMode mode = storage::ReadOpenMode::Plain;
    QString openError;
    file_.reset(storage::openForReading(name, &mode, &openError));
    if (!file_.valid()) {
        reply.error = QStringLiteral("Cannot open '%1': %2").arg(file, openError);
        return reply;
    }
    if (mode != storage::ReadOpenMode::Plain) {
        // A writer that still holds the file, or died, leaves it marked open for writing;
        // the fallback open still sees everything flushed.
        swmr_ = mode == storage::ReadOpenMode::SwmrRead;
        reply.swmr = swmr_;
        reply.notice = QStringLiteral(
            "'%1': file was not closed cleanly; showing data up to the last flush "
            "(it may still be being written)").arg(info.fileName());
    }
    reply.ok = true;
    reply.root = inspect(QStringLiteral("/"));
    reply.summary = summary();
    return reply;
}

NodeInfo H5Loader::describeObject(hid_t object, const QString& name, const QString& path) {
    NodeInfo node;
    node.name = name;
    node.path = path;
    switch (H5Iget_type(object)) {
    case H5I_GROUP: {
        node.kind = NodeKind::Group;
        H5G_info_t gi;
        node.childCount = H5Gget_info(object, &gi) >= 0 ? qint64(gi.nlinks) : 0;
        if (H5Aexists(object, "NX_class") > 0) {
            H5Handle attr(H5Aopen(object, "NX_class", H5P_DEFAULT));
            const FormattedValues v = readFormatted(attr, true, 1);
            if (!v.values.isEmpty()) node.nxClass = v.values.front();
        }
        break;
    }
    case H5I_DATASET: {
        node.kind = NodeKind::Dataset;
        if (swmr_) H5Drefresh(object);
        H5Handle type(H5Dget_type(object));
        H5Handle space(H5Dget_space(object));
        node.dtype = type.valid() ? describeType(type) : QStringLiteral("?");
        if (space.valid()) {
            const H5S_class_t cls = H5Sget_simple_extent_type(space);
            node.scalar = cls == H5S_SCALAR;
            node.nullSpace = cls == H5S_NULL;
            const int rank = H5Sget_simple_extent_ndims(space);
            std::vector<hsize_t> dims(size_t(std::max(rank, 0)));
            H5Sget_simple_extent_dims(space, dims.data(), nullptr);
            for (hsize_t d : dims) node.shape << qint64(d);
        }
        node.storageBytes = qint64(H5Dget_storage_size(object));
        break;
    }
    case H5I_DATATYPE:
        node.kind = NodeKind::Datatype;
        node.dtype = describeType(object);
        break;
    default: node.kind = NodeKind::Other; break;
    }
    H5Eclear2(H5E_DEFAULT);
    return node;
}

NodeInfo H5Loader::inspect(const QString& path) {
    const QString p = path.isEmpty() ? QStringLiteral("/") : path;
    const QString name = p == "/" ? QStringLiteral("/") : p.section('/', -1);
    if (!file_.valid()) {
        NodeInfo n;
        n.name = name;
        n.path = p;
        n.error = QStringLiteral("no file open");
        return n;
    }
    H5Handle object(H5Oopen(file_, pathBytes(p).constData(), H5P_DEFAULT));
    if (!object.valid()) {
        NodeInfo n;
        n.name = name;
        n.path = p;
        n.kind = NodeKind::Dangling;
        n.error = QStringLiteral("Cannot open %1: %2").arg(where(p), lastError());
        return n;
    }
    return describeObject(object, name, p);
}

ChildrenPage H5Loader::children(const QString& path, qint64 start, qint64 count) {
    ChildrenPage page;
    page.path = path;
    page.start = start;
    H5Handle group(H5Gopen2(file_, pathBytes(path).constData(), H5P_DEFAULT));
    if (!group.valid()) {
        page.error = QStringLiteral("Cannot open group %1: %2").arg(where(path), lastError());
        return page;
    }
    H5G_info_t gi;
    if (H5Gget_info(group, &gi) < 0) {
        page.error = QStringLiteral("Cannot list %1: %2").arg(where(path), lastError());
        return page;
    }
    page.total = qint64(gi.nlinks);
    if (start >= page.total || count <= 0) return page;
    IterateState state{count, {}};
    hsize_t idx = hsize_t(start);
    if (H5Literate(group, H5_INDEX_NAME, H5_ITER_INC, &idx, collectName, &state) < 0 && state.names.isEmpty()) {
        page.error = QStringLiteral("Cannot list %1: %2").arg(where(path), lastError());
        return page;
    }
    for (const QString& name : state.names) {
        const QString cp = childPath(path, name);
        const QByteArray nameBytes = name.toUtf8();
        H5L_info_t li;
        LinkKind link = LinkKind::Hard;
        QString target;
        if (H5Lget_info(group, nameBytes.constData(), &li, H5P_DEFAULT) >= 0 && li.type != H5L_TYPE_HARD) {
            std::vector<char> buf(li.u.val_size + 1, '\0');
            H5Lget_val(group, nameBytes.constData(), buf.data(), buf.size(), H5P_DEFAULT);
            if (li.type == H5L_TYPE_SOFT) {
                link = LinkKind::Soft;
                target = QString::fromUtf8(buf.data());
            } else if (li.type == H5L_TYPE_EXTERNAL) {
                link = LinkKind::External;
                const char* file = nullptr;
                const char* obj = nullptr;
                if (H5Lunpack_elink_val(buf.data(), buf.size(), nullptr, &file, &obj) >= 0)
                    target = QStringLiteral("%1:%2").arg(QString::fromUtf8(file), QString::fromUtf8(obj));
            }
        }
        H5Eclear2(H5E_DEFAULT);
        NodeInfo node;
        H5Handle object(H5Oopen(group, nameBytes.constData(), H5P_DEFAULT));
        if (object.valid()) {
            node = describeObject(object, name, cp);
        } else {
            node.name = name;
            node.path = cp;
            node.kind = NodeKind::Dangling;
            node.error = QStringLiteral("Link %1 → %2 cannot be followed: %3").arg(where(cp), target, lastError());
        }
        node.link = link;
        node.linkTarget = target;
        page.nodes << node;
    }
    return page;
}

ObjectDetails H5Loader::details(const QString& path, quint64 generation) {
    ObjectDetails d;
    d.generation = generation;
    d.path = path;
    d.node = inspect(path);
    if (!d.node.error.isEmpty()) {
        d.error = d.node.error;
        return d;
    }
    H5Handle object(H5Oopen(file_, pathBytes(path).constData(), H5P_DEFAULT));
    hsize_t idx = 0;
    if (H5Aiterate2(object, H5_INDEX_NAME, H5_ITER_INC, &idx, collectAttribute, &d.attributes) < 0)
        d.error = QStringLiteral("Cannot list the attributes of %1: %2").arg(where(path), lastError());
    if (d.node.kind != NodeKind::Dataset || d.node.nullSpace) return d;
    qint64 total = 1;
    for (qint64 n : d.node.shape) total *= n;
    if (total > kValueTableLimit) return d;
    const FormattedValues v = readFormatted(object, false, kValueTableLimit, true);
    if (!v.error.isEmpty()) {
        d.error = QStringLiteral("Cannot read %1: %2").arg(where(path), v.error);
        return d;
    }
    H5Handle type(H5Dget_type(object));
    if (isString(type)) {
        d.text = v.values.size() == 1 ? prettyJson(v.values.front()) : v.values.join('\n');
        return d;
    }
    const int perRow = !v.fields.isEmpty() ? int(v.fields.size())
                       : v.shape.size() >= 2 ? int(v.shape.back())
                                             : 1;
    if (!v.fields.isEmpty())
        d.table.columns = v.fields;
    else if (perRow == 1)
        d.table.columns << QStringLiteral("value");
    else
        for (int c = 0; c < perRow; ++c) d.table.columns << QString::number(c);
    for (qsizetype i = 0; perRow > 0 && i + perRow <= v.values.size(); i += perRow)
        d.table.rows << v.values.mid(i, perRow);
    d.table.truncated = v.truncated;
    if (v.shape.isEmpty() && v.values.size() == 1) d.text = v.values.front();
    return d;
}

QString H5Loader::readText(const QString& path) {
    if (H5Lexists(file_, pathBytes(path).constData(), H5P_DEFAULT) <= 0) {
        H5Eclear2(H5E_DEFAULT);
        return {};
    }
    H5Handle ds(H5Dopen2(file_, pathBytes(path).constData(), H5P_DEFAULT));
    if (!ds.valid()) {
        H5Eclear2(H5E_DEFAULT);
        return {};
    }
    if (swmr_) H5Drefresh(ds);
    const FormattedValues v = readFormatted(ds, false, 64);
    return v.values.join(", ").trimmed();
}

RunSummary H5Loader::summary() {
    RunSummary s;
    if (!file_.valid() || H5Lexists(file_, "/entry", H5P_DEFAULT) <= 0 ||
        H5Lexists(file_, "/entry/status", H5P_DEFAULT) <= 0) {
        H5Eclear2(H5E_DEFAULT);
        return s;
    }
    s.present = true;
    s.title = readText("/entry/title");
    s.status = readText("/entry/status");
    s.statusReason = readText("/entry/status_reason");
    s.startTime = readText("/entry/start_time");
    s.endTime = readText("/entry/end_time");
    s.plan = prettyJson(readText("/entry/plan"));
    if (H5Lexists(file_, "/entry/instrument", H5P_DEFAULT) > 0) {
        for (const NodeInfo& n : children("/entry/instrument").nodes)
            if (n.nxClass == "NXdetector") s.detectors << n.name;
    }
    if (s.detectors.isEmpty() && H5Lexists(file_, "/entry/data", H5P_DEFAULT) > 0 &&
        H5Aexists_by_name(file_, "/entry/data", "signal", H5P_DEFAULT) > 0) {
        H5Handle attr(H5Aopen_by_name(file_, "/entry/data", "signal", H5P_DEFAULT, H5P_DEFAULT));
        s.detectors = readFormatted(attr, true, 16).values;
    }
    H5Eclear2(H5E_DEFAULT);
    return s;
}

RefreshReply H5Loader::refresh(const QString& path, quint64 generation) {
    RefreshReply r;
    r.generation = generation;
    if (!file_.valid()) {
        r.error = QStringLiteral("no file open");
        return r;
    }
    r.node = inspect(path);
    r.summary = summary();
    r.error = r.node.error;
    H5Eclear2(H5E_DEFAULT);
    return r;
}

PreviewData H5Loader::preview(const PreviewRequest& request, const CancelCheck& cancelled) {
    PreviewData out = readPreview(file_, swmr_, fileName_, request, cancelled ? cancelled : [] { return false; });
    H5Eclear2(H5E_DEFAULT);
    return out;
}

ExportReply H5Loader::exportData(const ExportRequest& request, const CancelCheck& cancelled) {
    ExportReply r = exportDataset(file_, fileName_, request, cancelled ? cancelled : [] { return false; });
    H5Eclear2(H5E_DEFAULT);
    return r;
}

}  // namespace acquila::ui::browser
