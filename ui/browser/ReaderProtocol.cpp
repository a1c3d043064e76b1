#include "ui/browser/ReaderProtocol.h"

#include <QtEndian>

namespace acquila::ui::browser {
namespace reader {

QByteArray frame(const QByteArray& body) {
    QByteArray out(4, Qt::Uninitialized);
    qToLittleEndian<quint32>(quint32(body.size()), out.data());
    out += body;
    return out;
}

std::optional<QByteArray> takeFrame(QByteArray& buffer, QString* error) {
    if (buffer.size() < 4) return std::nullopt;
    const quint32 length = qFromLittleEndian<quint32>(buffer.constData());
    if (length > kMaxFrameBytes) {
        if (error) *error = QStringLiteral("a frame of %1 bytes (more than %2)").arg(length).arg(kMaxFrameBytes);
        return std::nullopt;
    }
    if (quint64(buffer.size()) < 4 + quint64(length)) return std::nullopt;
    QByteArray out = buffer.mid(4, qsizetype(length));
    buffer.remove(0, 4 + qsizetype(length));
    return out;
}

}  // namespace reader

namespace {
// Enums travel as qint32.
template <typename E>
void readEnum(QDataStream& s, E& e) {
    qint32 v = 0;
    s >> v;
    e = E(v);
}
}  // namespace

QDataStream& operator<<(QDataStream& s, const NodeInfo& v) {
    return s << v.name << v.path << qint32(v.kind) << qint32(v.link) << v.linkTarget << v.nxClass << v.shape
             << v.scalar << v.nullSpace << v.dtype << v.storageBytes << v.childCount << v.error;
}
QDataStream& operator>>(QDataStream& s, NodeInfo& v) {
    s >> v.name >> v.path;
    readEnum(s, v.kind);
    readEnum(s, v.link);
    return s >> v.linkTarget >> v.nxClass >> v.shape >> v.scalar >> v.nullSpace >> v.dtype >> v.storageBytes >>
           v.childCount >> v.error;
}

QDataStream& operator<<(QDataStream& s, const ChildrenPage& v) {
    s << v.epoch << v.path << v.start << v.total << qint32(v.nodes.size());
    for (const NodeInfo& n : v.nodes) s << n;
    return s << v.error;
}
QDataStream& operator>>(QDataStream& s, ChildrenPage& v) {
    qint32 n = 0;
    s >> v.epoch >> v.path >> v.start >> v.total >> n;
    v.nodes.clear();
    for (qint32 i = 0; i < n && s.status() == QDataStream::Ok; ++i) {
        NodeInfo node;
        s >> node;
        v.nodes.append(node);
    }
    return s >> v.error;
}

QDataStream& operator<<(QDataStream& s, const AttributeInfo& v) {
    return s << v.name << v.dtype << v.shape << v.value;
}
QDataStream& operator>>(QDataStream& s, AttributeInfo& v) { return s >> v.name >> v.dtype >> v.shape >> v.value; }

QDataStream& operator<<(QDataStream& s, const TableData& v) { return s << v.columns << v.rows << v.truncated; }
QDataStream& operator>>(QDataStream& s, TableData& v) { return s >> v.columns >> v.rows >> v.truncated; }

QDataStream& operator<<(QDataStream& s, const ObjectDetails& v) {
    s << v.generation << v.path << v.node << qint32(v.attributes.size());
    for (const AttributeInfo& a : v.attributes) s << a;
    return s << v.text << v.table << v.error;
}
QDataStream& operator>>(QDataStream& s, ObjectDetails& v) {
    qint32 n = 0;
    s >> v.generation >> v.path >> v.node >> n;
    v.attributes.clear();
    for (qint32 i = 0; i < n && s.status() == QDataStream::Ok; ++i) {
        AttributeInfo a;
        s >> a;
        v.attributes.append(a);
    }
    return s >> v.text >> v.table >> v.error;
}

QDataStream& operator<<(QDataStream& s, const PreviewRequest& v) {
    return s << v.generation << v.path << v.sliceIndex << qint32(v.columns) << qint32(v.imageSide)
             << v.readBudgetBytes << v.blockElements;
}
QDataStream& operator>>(QDataStream& s, PreviewRequest& v) {
    qint32 columns = 0, side = 0;
    s >> v.generation >> v.path >> v.sliceIndex >> columns >> side >> v.readBudgetBytes >> v.blockElements;
    v.columns = columns;
    v.imageSide = side;
    return s;
}

QDataStream& operator<<(QDataStream& s, const PreviewData& v) {
    return s << v.generation << v.path << qint32(v.kind) << v.title << v.message << v.xLabel << v.yLabel
             << v.valueLabel << v.x << v.y << qint32(v.imageRows) << qint32(v.imageCols) << v.image << v.xMin
             << v.xMax << v.yMin << v.yMax << v.shape << v.sliceIndex << v.text << v.table << v.decimated
             << v.sampled << v.bytesRead << v.peakBufferBytes << v.cancelled;
}
QDataStream& operator>>(QDataStream& s, PreviewData& v) {
    qint32 rows = 0, cols = 0;
    s >> v.generation >> v.path;
    readEnum(s, v.kind);
    s >> v.title >> v.message >> v.xLabel >> v.yLabel >> v.valueLabel >> v.x >> v.y >> rows >> cols >> v.image >>
        v.xMin >> v.xMax >> v.yMin >> v.yMax >> v.shape >> v.sliceIndex >> v.text >> v.table >> v.decimated >>
        v.sampled >> v.bytesRead >> v.peakBufferBytes >> v.cancelled;
    v.imageRows = rows;
    v.imageCols = cols;
    return s;
}

QDataStream& operator<<(QDataStream& s, const RunSummary& v) {
    return s << v.present << v.title << v.status << v.statusReason << v.startTime << v.endTime << v.plan
             << v.detectors;
}
QDataStream& operator>>(QDataStream& s, RunSummary& v) {
    return s >> v.present >> v.title >> v.status >> v.statusReason >> v.startTime >> v.endTime >> v.plan >>
           v.detectors;
}

QDataStream& operator<<(QDataStream& s, const OpenReply& v) {
    return s << v.epoch << v.file << v.ok << v.swmr << v.notice << v.error << v.root << v.summary;
}
QDataStream& operator>>(QDataStream& s, OpenReply& v) {
    return s >> v.epoch >> v.file >> v.ok >> v.swmr >> v.notice >> v.error >> v.root >> v.summary;
}

QDataStream& operator<<(QDataStream& s, const RefreshReply& v) {
    return s << v.generation << v.node << v.summary << v.error;
}
QDataStream& operator>>(QDataStream& s, RefreshReply& v) {
    return s >> v.generation >> v.node >> v.summary >> v.error;
}

QDataStream& operator<<(QDataStream& s, const ExportRequest& v) {
    return s << v.path << v.sliceIndex << v.outFile << qint32(v.format);
}
QDataStream& operator>>(QDataStream& s, ExportRequest& v) {
    s >> v.path >> v.sliceIndex >> v.outFile;
    readEnum(s, v.format);
    return s;
}

QDataStream& operator<<(QDataStream& s, const ExportReply& v) {
    return s << v.outFile << v.ok << v.error << v.values;
}
QDataStream& operator>>(QDataStream& s, ExportReply& v) { return s >> v.outFile >> v.ok >> v.error >> v.values; }

}  // namespace acquila::ui::browser
