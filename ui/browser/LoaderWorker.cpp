#include "ui/browser/LoaderWorker.h"

#include "ui/browser/ReaderProcess.h"
#include "ui/browser/ReaderProtocol.h"

#include <QFileInfo>

namespace acquila::ui::browser {

using reader::body;
using reader::Op;

LoaderWorker::LoaderWorker(std::shared_ptr<std::atomic<quint64>> latestGeneration)
    : latest_(std::move(latestGeneration)) {}

LoaderWorker::~LoaderWorker() = default;

ReaderProcess& LoaderWorker::reader() {
    if (!reader_) reader_ = std::make_unique<ReaderProcess>();
    return *reader_;
}

QString LoaderWorker::reading(const QString& path) const {
    return QStringLiteral("reading %1 of '%2'").arg(path, QFileInfo(file_).fileName());
}

namespace {
template <typename T>
std::optional<T> decode(const util::Result<QByteArray>& reply, const QString& what, QString* error) {
    if (!reply) {
        *error = reply.error();
        return std::nullopt;
    }
    QDataStream in(*reply);
    in.setVersion(QDataStream::Qt_6_0);
    T value;
    in >> value;
    if (in.status() != QDataStream::Ok) {
        *error = QStringLiteral("%1: the HDF5 reader's reply could not be decoded").arg(what);
        return std::nullopt;
    }
    return value;
}
}  // namespace

bool LoaderWorker::prepare(const QString& what, QString* error) {
    if (auto started = reader().ensureStarted(); !started) {
        *error = QStringLiteral("%1: %2").arg(what, started.error());
        return false;
    }
    if (file_.isEmpty() || reader().starts() == openedIn_) return true;
    // A new reader (the last one crashed or was stopped): open the file again first.
    const QString reopening = QStringLiteral("reopening '%1'").arg(QFileInfo(file_).fileName());
    auto again = decode<OpenReply>(reader().call(body(Op::Open, file_), reopening), reopening, error);
    if (!again) return false;
    if (!again->ok) {
        *error = again->error;
        return false;
    }
    openedIn_ = reader().starts();
    return true;
}

template <typename T>
std::optional<T> LoaderWorker::ask(const QByteArray& request, const QString& what, QString* error,
                                   const std::function<bool()>& cancelled) {
    if (!prepare(what, error)) return std::nullopt;
    return decode<T>(reader().call(request, what, cancelled), what, error);
}

void LoaderWorker::openFile(const QString& file, quint64 epoch) {
    if (retired()) return;
    epoch_ = epoch;
    file_.clear();  // nothing to reopen until this open succeeds
    QString error;
    OpenReply reply;
    if (auto r = ask<OpenReply>(body(Op::Open, file), QStringLiteral("opening '%1'").arg(file), &error)) {
        reply = *r;
        if (reply.ok) {
            file_ = file;
            openedIn_ = reader().starts();
        }
    } else {
        reply.file = file;
        reply.error = error;
    }
    reply.epoch = epoch;
    emit opened(reply);
}

void LoaderWorker::listChildren(const QString& path, qint64 start, qint64 count, quint64 epoch) {
    if (epoch != epoch_ || retired()) return;
    QString error;
    ChildrenPage page;
    if (auto r = ask<ChildrenPage>(body(Op::Children, path, start, count), reading(path), &error))
        page = *r;
    else {
        page.path = path;
        page.start = start;
        page.error = error;
    }
    page.epoch = epoch;
    emit childrenListed(page);
}

void LoaderWorker::loadDetails(const QString& path, quint64 generation) {
    if (stale(generation)) return;
    QString error;
    ObjectDetails details;
    if (auto r = ask<ObjectDetails>(body(Op::Details, path, generation), reading(path), &error))
        details = *r;
    else {
        details.path = path;
        details.node.path = path;
        details.error = error;
    }
    details.generation = generation;
    emit detailsReady(details);
}

void LoaderWorker::loadPreview(const PreviewRequest& request) {
    if (stale(request.generation)) return;
    const quint64 generation = request.generation;
    QString error;
    PreviewData data;
    if (auto r = ask<PreviewData>(body(Op::Preview, request), reading(request.path), &error,
                                  [this, generation] { return stale(generation); }))
        data = *r;
    else {
        data.path = request.path;
        data.kind = PreviewKind::Message;
        data.message = error;
        data.cancelled = stale(generation);
    }
    data.generation = generation;
    if (!data.cancelled) emit previewReady(data);
}

void LoaderWorker::refresh(const QString& path, quint64 generation) {
    if (retired()) return;
    QString error;
    RefreshReply reply;
    if (auto r = ask<RefreshReply>(body(Op::Refresh, path, generation), reading(path), &error))
        reply = *r;
    else
        reply.error = error;
    reply.generation = generation;
    emit refreshed(reply);
}

void LoaderWorker::exportData(const ExportRequest& request) {
    if (retired()) return;
    QString error;
    ExportReply reply;
    if (auto r = ask<ExportReply>(body(Op::Export, request), reading(request.path), &error, [this] { return retired(); }))
        reply = *r;
    else {
        reply.outFile = request.outFile;
        reply.error = error;
    }
    emit exported(reply);
}

}  // namespace acquila::ui::browser
