#include "ui/browser/LoaderWorker.h"
#include "ui/browser/H5Loader.h"

namespace acquila::ui::browser {

LoaderWorker::LoaderWorker(std::shared_ptr<std::atomic<quint64>> latestGeneration)
    : latest_(std::move(latestGeneration)) {}

LoaderWorker::~LoaderWorker() = default;

H5Loader& LoaderWorker::loader() {
    if (!loader_) loader_ = std::make_unique<H5Loader>();
    return *loader_;
}

void LoaderWorker::openFile(const QString& file, quint64 epoch) {
    if (retired()) return;
    epoch_ = epoch;
    OpenReply reply = loader().open(file);
    reply.epoch = epoch;
    emit opened(reply);
}

void LoaderWorker::listChildren(const QString& path, qint64 start, qint64 count, quint64 epoch) {
    if (epoch != epoch_ || retired()) return;
    ChildrenPage page = loader().children(path, start, count);
    page.epoch = epoch;
    emit childrenListed(page);
}

void LoaderWorker::loadDetails(const QString& path, quint64 generation) {
    if (stale(generation)) return;
    emit detailsReady(loader().details(path, generation));
}

void LoaderWorker::loadPreview(const PreviewRequest& request) {
    if (stale(request.generation)) return;
    const quint64 generation = request.generation;
    PreviewData data = loader().preview(request, [this, generation] { return stale(generation); });
    if (!data.cancelled) emit previewReady(data);
}

void LoaderWorker::refresh(const QString& path, quint64 generation) {
    if (retired()) return;
    emit refreshed(loader().refresh(path, generation));
}

void LoaderWorker::exportData(const ExportRequest& request) {
    if (retired()) return;
    emit exported(loader().exportData(request));
}

}  // namespace acquila::ui::browser
