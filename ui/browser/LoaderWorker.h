#pragma once
#include "ui/browser/H5Values.h"
#include <QObject>
#include <atomic>
#include <memory>

namespace acquila::ui::browser {

class H5Loader;

/**
 * Lives in the shared browser loader thread and owns one window's H5Loader
 * (created there on first use, so every HDF5 call happens on that thread). Slots are invoked
 * through queued connections with value types; replies are signals.
 */
class LoaderWorker : public QObject {
    Q_OBJECT
public:
    /** Generation value that retires the worker: every request still queued is skipped. */
    static constexpr quint64 kRetired = ~quint64(0);
    /** `latestGeneration` is bumped by the GUI thread to cancel reads of older generations. */
    explicit LoaderWorker(std::shared_ptr<std::atomic<quint64>> latestGeneration);
    ~LoaderWorker() override;

public slots:
    void openFile(const QString& file, quint64 epoch);
    void listChildren(const QString& path, qint64 start, qint64 count, quint64 epoch);
    void loadDetails(const QString& path, quint64 generation);
    void loadPreview(const acquila::ui::browser::PreviewRequest& request);
    void refresh(const QString& path, quint64 generation);
    void exportData(const acquila::ui::browser::ExportRequest& request);

signals:
    void opened(const acquila::ui::browser::OpenReply& reply);
    void childrenListed(const acquila::ui::browser::ChildrenPage& page);
    void detailsReady(const acquila::ui::browser::ObjectDetails& details);
    void previewReady(const acquila::ui::browser::PreviewData& preview);
    void refreshed(const acquila::ui::browser::RefreshReply& reply);
    void exported(const acquila::ui::browser::ExportReply& reply);

private:
    H5Loader& loader();
    bool stale(quint64 generation) const { return generation != latest_->load(); }
    bool retired() const { return latest_->load() == kRetired; }

    std::unique_ptr<H5Loader> loader_;
    quint64 epoch_ = 0;  // loader thread only: epoch of the file currently open
    // Shared with the GUI thread, which bumps it; read here between hyperslab blocks.
    std::shared_ptr<std::atomic<quint64>> latest_;
};

}  // namespace acquila::ui::browser
