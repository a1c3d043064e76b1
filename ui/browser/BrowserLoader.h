#pragma once
#include "ui/browser/H5Values.h"
#include <QObject>
#include <atomic>
#include <memory>

namespace acquila::ui::browser {

class LoaderWorker;

/**
 * GUI-thread front of one window's LoaderWorker in the shared loader thread
 * (LoaderService): sends requests as queued calls and forwards replies,
 * dropping stale ones (an older file epoch or selection generation). Create,
 * use and destroy on the GUI thread; destruction never waits for the loader:
 * it cancels the window's reads and hands its worker to the loader thread to delete.
 */
class BrowserLoader : public QObject {
    Q_OBJECT
public:
    explicit BrowserLoader(QObject* parent = nullptr);
    ~BrowserLoader() override;

    /** Opens `file` (closing the previous one); replies with opened(). */
    void open(const QString& file);
    /** Lists up to `count` children of `path` from `start`; replies with childrenListed(). */
    void listChildren(const QString& path, qint64 start, qint64 count);
    /**
     * Starts a new selection generation (cancelling reads for the previous one) and
     * asks for details and a preview of `request.path`. Returns the generation.
     */
    quint64 select(PreviewRequest request, bool withDetails = true);
    /** Cancels the current read; its reply, if any, is dropped. */
    void cancel();
    /** Re-reads the extent of `path` and the run summary; replies with refreshed(). */
    void refresh(const QString& path);
    void exportData(const ExportRequest& request);

    quint64 generation() const { return generation_; }
    /** True while a preview for the current generation is outstanding. */
    bool busy() const { return busy_; }

signals:
    void opened(const acquila::ui::browser::OpenReply& reply);
    void childrenListed(const acquila::ui::browser::ChildrenPage& page);
    void detailsReady(const acquila::ui::browser::ObjectDetails& details);
    void previewReady(const acquila::ui::browser::PreviewData& preview);
    void refreshed(const acquila::ui::browser::RefreshReply& reply);
    void exported(const acquila::ui::browser::ExportReply& reply);
    void busyChanged(bool busy);

private:
    void setBusy(bool busy);

    LoaderWorker* worker_ = nullptr;  // lives in the loader thread, deleted there (deleteLater)
    // Written here, read by the loader thread between blocks: the only generation not cancelled.
    std::shared_ptr<std::atomic<quint64>> latest_ = std::make_shared<std::atomic<quint64>>(0);
    quint64 generation_ = 0;
    quint64 epoch_ = 0;
    bool busy_ = false;
};

}  // namespace acquila::ui::browser
