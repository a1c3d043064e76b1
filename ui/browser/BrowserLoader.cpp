#include "ui/browser/BrowserLoader.h"
#include "ui/browser/LoaderService.h"
#include "ui/browser/LoaderWorker.h"

#include <QThread>

namespace acquila::ui::browser {

BrowserLoader::BrowserLoader(QObject* parent) : QObject(parent) {
    qRegisterMetaType<ChildrenPage>();
    qRegisterMetaType<ObjectDetails>();
    qRegisterMetaType<PreviewRequest>();
    qRegisterMetaType<PreviewData>();
    qRegisterMetaType<OpenReply>();
    qRegisterMetaType<RefreshReply>();
    qRegisterMetaType<ExportRequest>();
    qRegisterMetaType<ExportReply>();
    worker_ = new LoaderWorker(latest_);
    worker_->moveToThread(LoaderService::thread());
    connect(worker_, &LoaderWorker::opened, this, [this](const OpenReply& r) {
        if (r.epoch == epoch_) emit opened(r);
    });
    connect(worker_, &LoaderWorker::childrenListed, this, [this](const ChildrenPage& p) {
        if (p.epoch == epoch_) emit childrenListed(p);
    });
    connect(worker_, &LoaderWorker::detailsReady, this, [this](const ObjectDetails& d) {
        if (d.generation == generation_) emit detailsReady(d);
    });
    connect(worker_, &LoaderWorker::previewReady, this, [this](const PreviewData& p) {
        if (p.generation != generation_) return;
        setBusy(false);
        emit previewReady(p);
    });
    connect(worker_, &LoaderWorker::refreshed, this, &BrowserLoader::refreshed);
    connect(worker_, &LoaderWorker::exported, this, &BrowserLoader::exported);
}

BrowserLoader::~BrowserLoader() {
    latest_->store(LoaderWorker::kRetired);  // reads in progress stop at their next block, queued ones are skipped
    disconnect(worker_, nullptr, this, nullptr);
    worker_->deleteLater();  // runs in the loader thread after the requests already queued
}

void BrowserLoader::open(const QString& file) {
    ++epoch_;
    cancel();
    QMetaObject::invokeMethod(worker_, "openFile", Qt::QueuedConnection, Q_ARG(QString, file),
                              Q_ARG(quint64, epoch_));
}

void BrowserLoader::listChildren(const QString& path, qint64 start, qint64 count) {
    QMetaObject::invokeMethod(worker_, "listChildren", Qt::QueuedConnection, Q_ARG(QString, path),
                              Q_ARG(qint64, start), Q_ARG(qint64, count), Q_ARG(quint64, epoch_));
}

quint64 BrowserLoader::select(PreviewRequest request, bool withDetails) {
    request.generation = ++generation_;
    latest_->store(generation_);
    if (withDetails)
        QMetaObject::invokeMethod(worker_, "loadDetails", Qt::QueuedConnection, Q_ARG(QString, request.path),
                                  Q_ARG(quint64, generation_));
    QMetaObject::invokeMethod(worker_, "loadPreview", Qt::QueuedConnection,
                              Q_ARG(acquila::ui::browser::PreviewRequest, request));
    setBusy(true);
    return generation_;
}

void BrowserLoader::cancel() {
    latest_->store(++generation_);
    setBusy(false);
}

void BrowserLoader::refresh(const QString& path) {
    QMetaObject::invokeMethod(worker_, "refresh", Qt::QueuedConnection, Q_ARG(QString, path),
                              Q_ARG(quint64, generation_));
}

void BrowserLoader::exportData(const ExportRequest& request) {
    QMetaObject::invokeMethod(worker_, "exportData", Qt::QueuedConnection,
                              Q_ARG(acquila::ui::browser::ExportRequest, request));
}

void BrowserLoader::setBusy(bool busy) {
    if (busy_ == busy) return;
    busy_ = busy;
    emit busyChanged(busy);
}

}  // namespace acquila::ui::browser
