#include "ui/window/MainWindow.h"

#include "ui/browser/BrowserWindow.h"
#include "ui/plots/PlotPanel.h"
#include "ui/window/DevicesDock.h"
#include "ui/window/LogDock.h"
#include "ui/window/LogSink.h"
#include "core/util/Logging.h"
#include "ui/window/PlanEditor.h"
#include "ui/window/QueueDock.h"
#include "ui/window/RunControls.h"
#include "ui/window/StatusPanel.h"

#include <QCloseEvent>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QVBoxLayout>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QScrollArea>
#include <QSettings>
#include <QTimer>
#include <QToolBar>

namespace acquila::ui::window {

MainWindow::MainWindow(engine::EngineConfig config, QWidget* parent) : QMainWindow(parent) {
    setWindowTitle(tr("Acquila"));
    engine_ = std::make_unique<engine::Engine>(std::move(config));
    auto* centre = new QWidget(this);
    auto* centreLayout = new QVBoxLayout(centre);
    centreLayout->setContentsMargins(0, 0, 0, 0);
    banner_ = new QLabel(centre);
    banner_->setWordWrap(true);
    banner_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    banner_->setStyleSheet(QStringLiteral("background: #fde2e2; color: #8a0015; padding: 6px; border: 1px solid #e6a0a0;"));
    banner_->hide();
    plots_ = new plots::PlotPanel(centre);
    centreLayout->addWidget(banner_);
    centreLayout->addWidget(plots_, 1);
    setCentralWidget(centre);
    controls_ = new RunControls(this);
    status_ = new StatusPanel(this);
    setStatusBar(status_);
    buildDocks();
    buildMenus();
    connectEngine();
    resize(1400, 900);
    QSettings s;
    restoreGeometry(s.value(QStringLiteral("mainWindow/geometry")).toByteArray());
    restoreState(s.value(QStringLiteral("mainWindow/state")).toByteArray());
    // Every log line of this process (engine and forwarded worker lines included) reaches the
    // dock through this sink, before any engine thread starts logging.
    logSink_ = std::make_shared<LogSink>(log_);
    util::addLogSink(logSink_);
    engine_->start();
}

MainWindow::~MainWindow() {
    engine_.reset();  // threads that log are gone after this
    util::removeLogSink(logSink_);
}

void MainWindow::buildDocks() {
    setDockOptions(QMainWindow::AnimatedDocks | QMainWindow::AllowTabbedDocks);
    devicesDock_ = new DevicesDock(this);
    addDockWidget(Qt::LeftDockWidgetArea, devicesDock_);
    planEditor_ = new PlanEditor(this);
    auto* planDock = new QDockWidget(tr("Plan"), this);
    planDock->setObjectName(QStringLiteral("planDock"));
    auto* scroll = new QScrollArea(planDock);
    scroll->setWidget(planEditor_);
    scroll->setWidgetResizable(true);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    planDock->setWidget(scroll);
    addDockWidget(Qt::LeftDockWidgetArea, planDock);
    tabifyDockWidget(devicesDock_, planDock);
    planDock->raise();
    queue_ = new QueueDock(this);
    log_ = new LogDock(this);
    addDockWidget(Qt::BottomDockWidgetArea, queue_);
    addDockWidget(Qt::BottomDockWidgetArea, log_);
    splitDockWidget(queue_, log_, Qt::Horizontal);
    resizeDocks({devicesDock_}, {470}, Qt::Horizontal);
    resizeDocks({queue_, log_}, {420, 980}, Qt::Horizontal);
    resizeDocks({log_}, {190}, Qt::Vertical);

    connect(devicesDock_, &DevicesDock::moveRequested, this, [this](const QString& axis, double position) {
        if (runActive_) {
            controls_->setMessage(tr("Cannot move %1 while a run is active.").arg(axis), true);
            return;
        }
        devicesDock_->showPending(tr("Moving %1 to %2…").arg(axis).arg(position));
        engine_->moveAxis(axis, position);
    });
    // Set now: the engine answers with setNowFinished (the value read back, or the error); nothing waits here.
    connect(devicesDock_, &DevicesDock::setNowRequested, this, [this](const QString& target, const QVariant& value) {
        if (runActive_) {
            controls_->setMessage(tr("Cannot set %1 while a run is active.").arg(target), true);
            return;
        }
        devicesDock_->showPending(tr("Setting %1 to %2…").arg(target, value.toString()));
        engine_->setNow(target, value);
    });
    connect(devicesDock_, &DevicesDock::propertyEdited, planEditor_, &PlanEditor::setRunProperty);
    connect(queue_, &QueueDock::runNextRequested, this, [this] {
        if (!runActive_) launchNextQueued();
    });
    connect(status_, &StatusPanel::openFileRequested, this, &MainWindow::openInBrowser);
    connect(controls_, &RunControls::startRequested, this, &MainWindow::startFromEditor);
    connect(controls_, &RunControls::pauseRequested, engine_.get(), &engine::Engine::pause);
    connect(controls_, &RunControls::resumeRequested, engine_.get(), &engine::Engine::resume);
    connect(controls_, &RunControls::stopRequested, engine_.get(), &engine::Engine::stop);
    connect(controls_, &RunControls::abortRequested, engine_.get(), &engine::Engine::abort);
}

void MainWindow::buildMenus() {
    auto* toolbar = addToolBar(tr("Run"));
    toolbar->setObjectName(QStringLiteral("runToolbar"));
    toolbar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    toolbar->setMovable(false);
    auto* queueAction = new QAction(tr("Queue"), this);
    queueAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return));
    queueAction->setToolTip(tr("Add the plan in the editor to the run queue (Ctrl+Enter)"));
    connect(queueAction, &QAction::triggered, this, &MainWindow::queueFromEditor);
    for (QAction* a : {controls_->startAction(), controls_->pauseAction(), controls_->stopAction(), controls_->abortAction()})
        toolbar->addAction(a);
    toolbar->addAction(queueAction);
    toolbar->addSeparator();
    toolbar->addWidget(controls_);

    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("Open HDF5 file…"), QKeySequence::Open, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Open HDF5 file"), QString(),
                                                          tr("HDF5 files (*.h5 *.hdf5 *.nxs);;All files (*)"));
        if (!path.isEmpty()) openInBrowser(path);
    });
    recentFiles_ = file->addMenu(tr("Recent files"));
    connect(recentFiles_, &QMenu::aboutToShow, this, &MainWindow::rebuildRecentFiles);
    file->addSeparator();
    file->addAction(tr("Quit"), QKeySequence::Quit, this, &QWidget::close);
    QMenu* run = menuBar()->addMenu(tr("&Run"));
    for (QAction* a : {controls_->startAction(), controls_->pauseAction(), controls_->stopAction(), controls_->abortAction(), queueAction})
        run->addAction(a);
    viewMenu_ = menuBar()->addMenu(tr("&View"));
    for (QDockWidget* d : findChildren<QDockWidget*>()) viewMenu_->addAction(d->toggleViewAction());
}

void MainWindow::rebuildRecentFiles() {
    recentFiles_->clear();
    const QStringList files = browser::BrowserWindow::recentFiles();
    if (files.isEmpty()) recentFiles_->addAction(tr("(none)"))->setEnabled(false);
    for (const QString& f : files) recentFiles_->addAction(f, this, [this, f] { openInBrowser(f); });
}

browser::BrowserWindow* MainWindow::openInBrowser(const QString& path) {
    auto* w = new browser::BrowserWindow;
    w->setAttribute(Qt::WA_DeleteOnClose);
    w->show();
    w->openFile(path);
    return w;
}

void MainWindow::connectEngine() {
    engine::Engine* e = engine_.get();
    connect(e, &engine::Engine::devicesChanged, this, [this](const std::vector<model::DeviceDescription>& d) {
        devicesDock_->setDevices(d);
        planEditor_->setDevices(d);
        if (!ready_) {
            ready_ = true;
            controls_->setReady(!closing_);
            controls_->setMessage(tr("Ready"), false);
        }
    });
    connect(e, &engine::Engine::setNowFinished, devicesDock_, &DevicesDock::showResult);
    connect(e, &engine::Engine::monitored, this, [this](const engine::MonitorValues& v) {
        if (!runActive_) devicesDock_->updateMonitors(v);  // a poll that crossed the start of our run is stale
    });
    connect(e, &engine::Engine::progressChanged, this, &MainWindow::onProgress);
    connect(e, &engine::Engine::runFinished, this, &MainWindow::onFinished);
    connect(e, &engine::Engine::resultsReady, this, [this](const engine::BatchListPtr& batches) {
        plots_->addBatches(batches);
        if (batches && !batches->empty() && batches->back()) devicesDock_->updatePositions(*batches->back());
    });
    connect(e, &engine::Engine::workersChanged, status_, &StatusPanel::setWorkers);
    connect(e, &engine::Engine::storageChanged, status_, &StatusPanel::setStorage);
    connect(e, &engine::Engine::poolFailed, this, [this](const QString& error) {
        controls_->setMessage(tr("The worker processes could not start: %1").arg(error), true);
        log_->append(engine::LogEntry{QDateTime::currentDateTime(), 4, QStringLiteral("engine"), error});
    });
    connect(e, &engine::Engine::shutDown, this, [this] {
        engineDown_ = true;
        controls_->setReady(false);
        if (closing_) close();
    });
}

bool MainWindow::launch(const plan::Plan& plan, QString* error) {
    auto ctx = plots::makeScanContext(plan, engine_->devices());
    if (!ctx) {
        if (error) *error = ctx.error();
        return false;
    }
    banner_->hide();
    activeRun_ = engine_->enqueue(plan);
    runActive_ = true;
    plots_->beginRun(activeRun_, std::make_shared<plots::ScanContext>(std::move(*ctx)), engine_->devices());
    engine::RunProgress local;
    local.runId = activeRun_;
    local.planName = plan.name;
    local.state = model::RunState::Starting;
    local.total = plots_->scan()->total;
    lastProgress_ = local;
    controls_->setProgress(local);
    devicesDock_->setMovesEnabled(false);
    return true;
}

bool MainWindow::startPlan(const plan::Plan& plan, QString* error) {
    if (!ready_ || closing_) {
        if (error) *error = closing_ ? tr("The window is closing.") : tr("The workers are still starting.");
        return false;
    }
    const QString invalid = plan::validatePlan(plan, engine_->devices());
    if (!invalid.isEmpty()) {
        if (error) *error = invalid;
        return false;
    }
    if (runActive_) {
        queue_->add(plan);
        return true;
    }
    return launch(plan, error);
}

void MainWindow::startFromEditor() {
    const auto plan = planEditor_->plan();
    QString error = plan ? QString() : plan.error();
    if (plan && !runActive_ && launch(*plan, &error)) return;
    if (plan && runActive_) error = tr("A run is active: use Queue to run this plan after it.");
    controls_->setMessage(tr("Cannot start: %1").arg(error), true);
}

void MainWindow::queueFromEditor() {
    const auto plan = planEditor_->plan();
    if (!plan) {
        controls_->setMessage(tr("Cannot queue: %1").arg(plan.error()), true);
        return;
    }
    queue_->add(*plan);
    if (!runActive_ && ready_ && !closing_) launchNextQueued();
}

void MainWindow::launchNextQueued() {
    while (auto next = queue_->takeNext()) {
        QString error;
        const QString invalid = plan::validatePlan(*next, engine_->devices());
        if (invalid.isEmpty() && launch(*next, &error)) return;
        controls_->setMessage(tr("Skipped queued plan %1: %2").arg(next->name, invalid.isEmpty() ? error : invalid), true);
    }
}

void MainWindow::onProgress(const engine::RunProgress& p) {
    // Reports about other runs, or the idle report that precedes our run's start, are stale.
    if (p.runId != 0 && p.runId != activeRun_) return;
    if (p.runId == 0 && runActive_) return;
    lastProgress_ = p;
    controls_->setProgress(p);
    if (!p.filePath.isEmpty()) status_->setFile(p.filePath);
}

void MainWindow::onFinished(const engine::RunProgress& p) {
    if (p.runId != activeRun_) return;
    runActive_ = false;
    lastFinished_ = p;
    lastProgress_ = p;
    controls_->setProgress(p);
    plots_->replotNow();
    if (!p.filePath.isEmpty()) status_->setFile(p.filePath);
    devicesDock_->setMovesEnabled(true);
    const bool ok = p.status == model::RunStatus::Completed;
    if (!ok) {
        banner_->setText(tr("Run %1 %2 after %3 of %4 points.%5")
                             .arg(p.planName, QLatin1String(model::runStatusName(p.status))).arg(p.done).arg(p.total)
                             .arg(p.reason.isEmpty() ? QString() : QStringLiteral("\n") + p.reason));
        banner_->show();
    }
    log_->append(engine::LogEntry{QDateTime::currentDateTime(), ok ? 2 : 4, QStringLiteral("run"),
                                QStringLiteral("%1: %2/%3 points in %4 s").arg(QLatin1String(model::runStatusName(p.status)))
                                    .arg(p.done).arg(p.total).arg(p.elapsedS, 0, 'f', 1) +
                                    (p.reason.isEmpty() ? QString() : QStringLiteral(" — ") + p.reason)});
    if (closing_) {
        engine_->shutdown();
        return;
    }
    if (queue_->size() > 0 && (ok || queue_->continueAfterFailure()))
        QTimer::singleShot(0, this, [this] {
            if (!runActive_ && !closing_) launchNextQueued();
        });
}

void MainWindow::showProblem(const QString& text) {
    banner_->setText(text);
    banner_->show();
}

QString MainWindow::bannerText() const { return banner_->isVisible() ? banner_->text() : QString(); }

MainWindow::CloseChoice MainWindow::askClose() {
    QMessageBox box(QMessageBox::Question, tr("A run is active"),
                    tr("A run is still active. Stop it (finish the points in flight and keep the data) or abort it "
                       "(cancel now; completed points are kept) before closing?"),
                    QMessageBox::NoButton, this);
    QPushButton* stop = box.addButton(tr("Stop and close"), QMessageBox::AcceptRole);
    QPushButton* abort = box.addButton(tr("Abort and close"), QMessageBox::DestructiveRole);
    box.addButton(QMessageBox::Cancel);
    box.setDefaultButton(stop);
    box.exec();
    if (box.clickedButton() == stop) return CloseChoice::Stop;
    if (box.clickedButton() == abort) return CloseChoice::Abort;
    return CloseChoice::Cancel;
}

void MainWindow::closeEvent(QCloseEvent* event) {
    if (engineDown_) {
        QSettings s;
        s.setValue(QStringLiteral("mainWindow/geometry"), saveGeometry());
        s.setValue(QStringLiteral("mainWindow/state"), saveState());
        event->accept();
        return;
    }
    event->ignore();
    if (closing_) return;
    if (runActive_) {
        const CloseChoice c = closeQuestion_ ? closeQuestion_() : askClose();
        if (c == CloseChoice::Cancel) return;
        closing_ = true;
        controls_->setReady(false);
        controls_->setMessage(tr("Closing once the run has ended…"), false);
        if (c == CloseChoice::Stop) engine_->stop();
        else engine_->abort();
        return;
    }
    closing_ = true;
    controls_->setReady(false);
    controls_->setMessage(tr("Shutting down the workers…"), false);
    engine_->shutdown();
}

}  // namespace acquila::ui::window
