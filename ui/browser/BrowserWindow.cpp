#include "ui/browser/BrowserWindow.h"
#include "ui/browser/BrowserLoader.h"
#include "ui/browser/H5TreeModel.h"
#include "ui/browser/PreviewWidget.h"
#include <QApplication>
#include <QClipboard>
#include <QDialog>
#include <QDragEnterEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMenu>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableWidget>
#include <QTimer>
#include <QToolBar>
#include <QTreeView>
#include <QVBoxLayout>

namespace acquila::ui::browser {
namespace {

const char* kRecentKey = "browser/recentFiles";
constexpr int kMaxRecent = 10;

bool isHdf5Name(const QString& file) {
    const QString s = QFileInfo(file).suffix().toLower();
    return s == "h5" || s == "hdf5" || s == "nxs" || s == "hdf" || s == "he5";
}

}  // namespace

BrowserWindow::BrowserWindow(QWidget* parent) : QMainWindow(parent) {
    setWindowTitle(tr("HDF5 Browser"));
    setAcceptDrops(true);
    resize(1200, 760);
    loader_ = new BrowserLoader(this);
    model_ = new H5TreeModel(loader_, this);

    auto* central = new QWidget(this);
    auto* layout = new QVBoxLayout(central);
    auto* header = new QHBoxLayout;
    summary_ = new QLabel(central);
    summary_->setTextFormat(Qt::RichText);
    summary_->setWordWrap(true);
    summary_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    planButton_ = new QPushButton(tr("View plan…"), central);
    header->addWidget(summary_, 1);
    header->addWidget(planButton_, 0, Qt::AlignTop);
    layout->addLayout(header);
    summary_->hide();
    planButton_->hide();
    banner_ = new QLabel(central);
    banner_->setWordWrap(true);
    banner_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    banner_->hide();
    layout->addWidget(banner_);

    auto* split = new QSplitter(Qt::Horizontal, central);
    tree_ = new QTreeView(split);
    tree_->setModel(model_);
    tree_->setUniformRowHeights(true);
    tree_->header()->setSectionResizeMode(QHeaderView::Interactive);
    tree_->setColumnWidth(H5TreeModel::NameColumn, 170);
    tree_->setColumnWidth(H5TreeModel::KindColumn, 95);
    tree_->setColumnWidth(H5TreeModel::ShapeColumn, 75);
    tree_->setColumnWidth(H5TreeModel::TypeColumn, 135);
    tree_->setColumnWidth(H5TreeModel::SizeColumn, 70);
    auto* right = new QSplitter(Qt::Vertical, split);
    auto* previewBox = new QWidget(right);
    auto* previewLayout = new QVBoxLayout(previewBox);
    previewLayout->setContentsMargins(0, 0, 0, 0);
    preview_ = new PreviewWidget(previewBox);
    auto* busyRow = new QHBoxLayout;
    busy_ = new QProgressBar(previewBox);
    busy_->setRange(0, 0);
    busy_->setFormat(tr("Reading…"));
    busy_->setMaximumHeight(14);
    cancelButton_ = new QPushButton(tr("Cancel"), previewBox);
    busyRow->addWidget(busy_, 1);
    busyRow->addWidget(cancelButton_);
    busy_->hide();
    cancelButton_->hide();
    previewLayout->addWidget(preview_, 1);
    previewLayout->addLayout(busyRow);
    tabs_ = new QTabWidget(right);
    attributes_ = new QTableWidget(tabs_);
    attributes_->setColumnCount(4);
    attributes_->setHorizontalHeaderLabels({tr("Attribute"), tr("Type"), tr("Shape"), tr("Value")});
    attributes_->setWordWrap(false);
    attributes_->verticalHeader()->hide();
    attributes_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    attributes_->horizontalHeader()->setStretchLastSection(true);
    values_ = new QTableWidget(tabs_);
    values_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    valueText_ = new QPlainTextEdit(tabs_);
    valueText_->setReadOnly(true);
    valueText_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    tabs_->addTab(attributes_, tr("Attributes"));
    tabs_->addTab(values_, tr("Values"));
    tabs_->addTab(valueText_, tr("Text"));
    right->addWidget(previewBox);
    right->addWidget(tabs_);
    right->setStretchFactor(0, 3);
    right->setStretchFactor(1, 1);
    split->addWidget(tree_);
    split->addWidget(right);
    split->setStretchFactor(0, 2);
    split->setStretchFactor(1, 3);
    split->setSizes({575, 625});
    layout->addWidget(split, 1);
    setCentralWidget(central);

    followTimer_ = new QTimer(this);
    followTimer_->setInterval(500);  // follow-live refreshes at most twice a second
    connect(followTimer_, &QTimer::timeout, this, &BrowserWindow::onFollowTick);
    buildActions();

    connect(loader_, &BrowserLoader::opened, this, &BrowserWindow::onOpened);
    connect(loader_, &BrowserLoader::detailsReady, this, &BrowserWindow::onDetails);
    connect(loader_, &BrowserLoader::previewReady, preview_, &PreviewWidget::showPreview);
    connect(loader_, &BrowserLoader::refreshed, this, &BrowserWindow::onRefreshed);
    connect(loader_, &BrowserLoader::busyChanged, this, [this](bool b) {
        busy_->setVisible(b);
        cancelButton_->setVisible(b);
    });
    connect(loader_, &BrowserLoader::exported, this, [this](const ExportReply& r) {
        if (r.ok)
            statusBar()->showMessage(tr("Saved %1 values to %2").arg(r.values).arg(r.outFile), 8000);
        else
            showBanner(r.error, true);
    });
    connect(cancelButton_, &QPushButton::clicked, this, [this] {
        loader_->cancel();
        preview_->showMessage(tr("Read cancelled."));
    });
    connect(model_, &H5TreeModel::loadError, this, [this](const QString& m) { showBanner(m, true); });
    connect(tree_->selectionModel(), &QItemSelectionModel::currentChanged, this, &BrowserWindow::onSelection);
    connect(preview_, &PreviewWidget::sliceChanged, this, [this] { requestPreview(false); });
    connect(planButton_, &QPushButton::clicked, this, [this] {
        auto* dialog = new QDialog(this);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        dialog->setWindowTitle(tr("Plan of %1").arg(QFileInfo(open_.file).fileName()));
        auto* text = new QPlainTextEdit(open_.summary.plan, dialog);
        text->setReadOnly(true);
        text->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
        (new QVBoxLayout(dialog))->addWidget(text);
        dialog->resize(600, 500);
        dialog->show();
    });
    statusBar()->showMessage(tr("Open or drop an HDF5 file (.h5, .hdf5, .nxs)."));
}

BrowserWindow::~BrowserWindow() = default;

void BrowserWindow::buildActions() {
    QToolBar* bar = addToolBar(tr("Browser"));
    bar->setObjectName(QStringLiteral("browserToolbar"));
    bar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    QAction* openAction = bar->addAction(tr("Open…"), this, [this] {
        const QString file = QFileDialog::getOpenFileName(this, tr("Open HDF5 file"), QString(),
                                                          tr("HDF5 files (*.h5 *.hdf5 *.nxs *.hdf);;All files (*)"));
        if (!file.isEmpty()) openFile(file);
    });
    openAction->setShortcut(QKeySequence::Open);
    recentMenu_ = new QMenu(tr("Recent"), this);
    QAction* recentAction = bar->addAction(tr("Recent"));
    recentAction->setMenu(recentMenu_);
    rebuildRecentMenu();
    bar->addSeparator();
    followAction_ = bar->addAction(tr("Follow"));
    followAction_->setCheckable(true);
    followAction_->setToolTip(tr("Refresh shapes and plot twice a second while the file is being written"));
    connect(followAction_, &QAction::toggled, this, [this](bool on) { setFollowing(on); });
    bar->addSeparator();
    bar->addAction(tr("Export CSV…"), this, [this] { exportSelected(ExportFormat::Csv); });
    bar->addAction(tr("Export .npy…"), this, [this] { exportSelected(ExportFormat::Npy); });
    bar->addAction(tr("Copy path"), this, [this] {
        if (!selected_.isEmpty()) QApplication::clipboard()->setText(selected_);
    });
}

QStringList BrowserWindow::recentFiles() { return QSettings().value(kRecentKey).toStringList(); }

void BrowserWindow::addRecent(const QString& file) {
    QStringList files = recentFiles();
    const QString abs = QFileInfo(file).absoluteFilePath();
    files.removeAll(abs);
    files.prepend(abs);
    while (files.size() > kMaxRecent) files.removeLast();
    QSettings().setValue(kRecentKey, files);
    rebuildRecentMenu();
}

void BrowserWindow::rebuildRecentMenu() {
    recentMenu_->clear();
    for (const QString& f : recentFiles())
        recentMenu_->addAction(f, this, [this, f] { openFile(f); });
    recentMenu_->setEnabled(!recentMenu_->isEmpty());
}

void BrowserWindow::openFile(const QString& file) {
    setFollowing(false);
    selected_.clear();
    model_->clear();
    open_ = OpenReply();
    banner_->hide();
    summary_->hide();
    planButton_->hide();
    preview_->showMessage(tr("Opening %1…").arg(file));
    attributes_->setRowCount(0);
    values_->clear();
    values_->setRowCount(0);
    valueText_->clear();
    setWindowTitle(tr("%1 — HDF5 Browser").arg(QFileInfo(file).fileName()));
    statusBar()->showMessage(tr("Opening %1…").arg(file));
    loader_->open(file);
}

void BrowserWindow::onOpened(const OpenReply& reply) {
    open_ = reply;
    if (!reply.ok) {
        showBanner(reply.error, true);
        preview_->showMessage(reply.error);
        statusBar()->showMessage(tr("Could not open %1").arg(reply.file));
        return;
    }
    addRecent(reply.file);
    if (!reply.notice.isEmpty()) showBanner(reply.notice, false);
    model_->reset(reply.root);
    if (model_->canFetchMore({})) model_->fetchMore({});
    showSummary(reply.summary);
    preview_->showMessage(tr("Select a dataset or an NXdata group to preview it."));
    statusBar()->showMessage(reply.swmr ? tr("%1 (opened with SWMR-read)").arg(reply.file) : reply.file);
}

void BrowserWindow::showBanner(const QString& text, bool error) {
    banner_->setText(text);
    banner_->setStyleSheet(error ? "QLabel { background: #f8d7da; color: #58151c; padding: 6px; }"
                                 : "QLabel { background: #fff3cd; color: #664d03; padding: 6px; }");
    banner_->show();
}

QString BrowserWindow::bannerText() const { return banner_->isHidden() ? QString() : banner_->text(); }

void BrowserWindow::showSummary(const RunSummary& s) {
    if (!s.present) {
        summary_->hide();
        planButton_->hide();
        return;
    }
    const QString status = s.statusReason.isEmpty() ? s.status.toHtmlEscaped()
                                                    : QStringLiteral("%1 (%2)").arg(s.status.toHtmlEscaped(),
                                                                                    s.statusReason.toHtmlEscaped());
    summary_->setText(QStringLiteral("<b>%1</b><br>Status: <b>%2</b> &nbsp; Start: %3 &nbsp; End: %4 &nbsp; "
                                     "Detectors: %5")
                          .arg(s.title.isEmpty() ? tr("(untitled run)") : s.title.toHtmlEscaped(), status,
                               s.startTime.isEmpty() ? "–" : s.startTime.toHtmlEscaped(),
                               s.endTime.isEmpty() ? "–" : s.endTime.toHtmlEscaped(),
                               s.detectors.isEmpty() ? "–" : s.detectors.join(", ").toHtmlEscaped()));
    summary_->show();
    planButton_->setVisible(!s.plan.isEmpty());
}

bool BrowserWindow::selectPath(const QString& path) {
    const QModelIndex index = model_->indexOf(path);
    if (!index.isValid()) return false;
    tree_->scrollTo(index);
    tree_->setCurrentIndex(index);
    return true;
}

void BrowserWindow::onSelection() {
    const QModelIndex index = tree_->currentIndex();
    if (!index.isValid()) return;
    const NodeInfo& node = model_->node(index);
    selected_ = node.path;
    attributes_->setRowCount(0);
    values_->clear();
    values_->setRowCount(0);
    valueText_->clear();
    if (!node.error.isEmpty()) {
        loader_->cancel();
        preview_->showMessage(node.error);
        return;
    }
    requestPreview(true);
}

void BrowserWindow::requestPreview(bool withDetails) {
    if (selected_.isEmpty()) return;
    PreviewRequest request;
    request.path = selected_;
    if (preview_->current().path == selected_) request.sliceIndex = preview_->sliceIndex();
    request.columns = std::max(200, preview_->width());
    loader_->select(request, withDetails);
}

void BrowserWindow::onDetails(const ObjectDetails& d) {
    if (d.path != selected_) return;
    attributes_->setRowCount(int(d.attributes.size()));
    for (int r = 0; r < d.attributes.size(); ++r) {
        const AttributeInfo& a = d.attributes[r];
        attributes_->setItem(r, 0, new QTableWidgetItem(a.name));
        auto* value = new QTableWidgetItem(a.value.size() > 300 ? a.value.left(300) + "…" : a.value);
        value->setToolTip(a.value.left(4000));
        attributes_->setItem(r, 1, new QTableWidgetItem(a.dtype));
        attributes_->setItem(r, 2, new QTableWidgetItem(a.shape));
        attributes_->setItem(r, 3, value);
    }
    for (int c = 0; c < 3; ++c) attributes_->resizeColumnToContents(c);
    PreviewWidget::fillTable(values_, d.table);
    valueText_->setPlainText(!d.error.isEmpty() ? d.error : d.text);
    if (d.attributes.isEmpty() && !d.table.rows.isEmpty()) tabs_->setCurrentWidget(values_);
    else if (d.attributes.isEmpty() && !valueText_->toPlainText().isEmpty()) tabs_->setCurrentWidget(valueText_);
    else if (tabs_->currentWidget() != attributes_ && d.table.rows.isEmpty() && d.text.isEmpty())
        tabs_->setCurrentWidget(attributes_);
    if (!d.error.isEmpty()) statusBar()->showMessage(d.error, 10000);
}

bool BrowserWindow::following() const { return followTimer_->isActive(); }

void BrowserWindow::setFollowing(bool on) {
    if (on && !open_.ok) on = false;
    if (on)
        followTimer_->start();
    else
        followTimer_->stop();
    refreshPending_ = false;
    if (followAction_ && followAction_->isChecked() != on) {
        QSignalBlocker block(followAction_);
        followAction_->setChecked(on);
    }
}

void BrowserWindow::onFollowTick() {
    if (refreshPending_) return;  // the previous refresh is still being read
    refreshPending_ = true;
    loader_->refresh(selected_.isEmpty() ? QStringLiteral("/") : selected_);
}

void BrowserWindow::onRefreshed(const RefreshReply& reply) {
    refreshPending_ = false;
    if (!following()) return;
    if (reply.node.path.isEmpty() && !reply.error.isEmpty()) {
        // Nothing was read (the reader failed). Shown, and following goes on: the next tick reads again (a new reader if this one was stopped).
        statusBar()->showMessage(tr("Follow: %1").arg(reply.error), 10000);
        return;
    }
    model_->updateNode(reply.node);
    showSummary(reply.summary);
    open_.summary = reply.summary;
    if (!selected_.isEmpty() && reply.node.path == selected_ && !loader_->busy()) requestPreview(false);
    if (reply.summary.present && reply.summary.finalStatus()) {
        setFollowing(false);
        statusBar()->showMessage(tr("Run finished (%1): follow stopped.").arg(reply.summary.status), 10000);
    }
}

void BrowserWindow::exportSelected(ExportFormat format) {
    const NodeInfo& node = model_->node(model_->indexOf(selected_));
    if (selected_.isEmpty() || node.kind != NodeKind::Dataset) {
        showBanner(tr("Select a dataset to export."), true);
        return;
    }
    const bool npy = format == ExportFormat::Npy;
    const QString suggestion = selected_.section('/', -1) + (npy ? ".npy" : ".csv");
    const QString out = QFileDialog::getSaveFileName(this, tr("Export %1").arg(selected_), suggestion,
                                                     npy ? tr("NumPy (*.npy)") : tr("CSV (*.csv)"));
    if (out.isEmpty()) return;
    ExportRequest request;
    request.path = selected_;
    request.outFile = out;
    request.format = format;
    if (preview_->current().path == selected_) request.sliceIndex = preview_->sliceIndex();
    loader_->exportData(request);
}

void BrowserWindow::dragEnterEvent(QDragEnterEvent* event) {
    for (const QUrl& url : event->mimeData()->urls())
        if (url.isLocalFile() && isHdf5Name(url.toLocalFile())) {
            event->acceptProposedAction();
            return;
        }
}

void BrowserWindow::dropEvent(QDropEvent* event) {
    for (const QUrl& url : event->mimeData()->urls())
        if (url.isLocalFile() && isHdf5Name(url.toLocalFile())) {
            openFile(url.toLocalFile());
            event->acceptProposedAction();
            return;
        }
}

}  // namespace acquila::ui::browser
