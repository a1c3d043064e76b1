#pragma once
#include "ui/browser/H5Values.h"
#include <QObject>
#include <atomic>
#include <functional>
#include <memory>
#include <optional>

namespace acquila::ui::browser {

class ReaderProcess;

/**
 * Lives in the shared browser loader thread and owns one window's acquila-reader process
 * (ReaderProcess, started there on first use), which makes the window's HDF5 reads: the
 * app process itself never calls HDF5. A reader that crashes or stops answering is killed
 * and the reply carries the reason; the next request starts a new reader and reopens the
 * file. Slots are invoked through queued connections with value types; replies are signals.
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
    ReaderProcess& reader();
    /** Sends a request and decodes its reply; on failure `*error` says what went wrong. */
    template <typename T>
    std::optional<T> ask(const QByteArray& request, const QString& what, QString* error,
                         const std::function<bool()>& cancelled = {});
    /** Starts a reader if none runs and reopens the window's file in a new one. */
    bool prepare(const QString& what, QString* error);
    /** "reading '/entry' of 'run.h5'", for messages about the reader itself. */
    QString reading(const QString& path) const;
    bool stale(quint64 generation) const { return generation != latest_->load(); }
    bool retired() const { return latest_->load() == kRetired; }

    std::unique_ptr<ReaderProcess> reader_;
    quint64 epoch_ = 0;  // loader thread only: epoch of the file currently open
    QString file_;       // the file the reader must have open (empty: none)
    int openedIn_ = 0;   // the reader start (ReaderProcess::starts) that opened file_
    // Shared with the GUI thread, which bumps it; read here between hyperslab blocks.
    std::shared_ptr<std::atomic<quint64>> latest_;
};

}  // namespace acquila::ui::browser
