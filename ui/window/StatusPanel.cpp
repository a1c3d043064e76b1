#include "ui/window/StatusPanel.h"

#include "ui/window/RunFormat.h"

#include <QFileInfo>
#include <QLabel>
#include <QToolButton>

namespace acquila::ui::window {

QString workersText(const std::vector<engine::WorkerStatus>& workers) {
    int idle = 0, busy = 0, crashed = 0, starting = 0;
    for (const auto& w : workers) {
        if (w.state == engine::WorkerState::Dead) ++crashed;
        else if (w.state == engine::WorkerState::Starting) ++starting;
        else if (w.busy) ++busy;
        else if (w.state == engine::WorkerState::Ready) ++idle;
    }
    QString t = QStringLiteral("Workers: %1 idle · %2 busy · %3 crashed").arg(idle).arg(busy).arg(crashed);
    if (starting) t += QStringLiteral(" · %1 starting").arg(starting);
    return t;
}

StatusPanel::StatusPanel(QWidget* parent) : QStatusBar(parent) {
    workers_ = new QLabel(tr("Workers: starting…"), this);
    storage_ = new QLabel(tr("Storage: idle"), this);
    disk_ = new QLabel(tr("Free disk: —"), this);
    fileLabel_ = new QLabel(tr("No run file"), this);
    fileLabel_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    open_ = new QToolButton(this);
    open_->setText(tr("Open in browser"));
    open_->setToolTip(tr("Open the current run file in the HDF5 browser"));
    open_->setEnabled(false);
    connect(open_, &QToolButton::clicked, this, [this] {
        if (!file_.isEmpty()) emit openFileRequested(file_);
    });
    addWidget(workers_);
    addWidget(storage_);
    addWidget(disk_);
    addPermanentWidget(fileLabel_, 1);
    addPermanentWidget(open_);
}

void StatusPanel::setWorkers(const std::vector<engine::WorkerStatus>& workers) {
    workers_->setText(workersText(workers));
    QStringList detail;
    for (const auto& w : workers)
        detail << QStringLiteral("%1 %2: %3%4%5")
                      .arg(w.role).arg(w.id).arg(QLatin1String(engine::workerStateName(w.state)))
                      .arg(w.busy ? QStringLiteral(", busy") : QString())
                      .arg(w.lastError.isEmpty() ? QString() : QStringLiteral(" (") + w.lastError + QLatin1Char(')'));
    workers_->setToolTip(detail.join(QLatin1Char('\n')));
}

void StatusPanel::setStorage(const engine::StorageStatus& s) {
    storage_->setText(QStringLiteral("Storage: queue %1% · %2/s").arg(qRound(s.queueFill * 100)).arg(formatBytes(s.bytesPerSecond)));
    storage_->setToolTip(s.error);
    storage_->setStyleSheet(s.error.isEmpty() ? QString() : QStringLiteral("color: #b00020;"));
    disk_->setText(QStringLiteral("Free disk: %1%2").arg(formatBytes(static_cast<double>(s.freeBytes)),
                                                      s.lowDisk ? tr(" (low!)") : QString()));
    disk_->setStyleSheet(s.lowDisk ? QStringLiteral("color: #b00020; font-weight: bold;") : QString());
    if (!s.filePath.isEmpty()) setFile(s.filePath);
}

void StatusPanel::setFile(const QString& path) {
    if (path.isEmpty() || path == file_) return;
    file_ = path;
    fileLabel_->setText(QFileInfo(path).fileName());
    fileLabel_->setToolTip(path);
    open_->setEnabled(true);
}

QString StatusPanel::workersLabel() const { return workers_->text(); }
QString StatusPanel::storageLabel() const { return storage_->text(); }

}  // namespace acquila::ui::window
