#pragma once
#include <spdlog/sinks/sink.h>
#include "core/engine/Engine.h"

#include <QMainWindow>
#include <functional>
#include <memory>

class QLabel;

namespace acquila::ui::browser {
class BrowserWindow;
}  // namespace acquila::ui::browser
namespace acquila::ui::plots {
class PlotPanel;
}  // namespace acquila::ui::plots

namespace acquila::ui::window {

class DevicesDock;
class LogDock;
class PlanEditor;
class QueueDock;
class RunControls;
class StatusPanel;

/**
 * The main window: devices and plan editor on the left, live plots in the
 * centre, run controls in the toolbar, queue and log docks, status bar. Owns
 * the engine and talks to it only through its non-blocking commands and
 * queued signals. Closing during a run asks to stop or abort, then shuts the
 * engine down and closes once it reports shutDown(). GUI thread only.
 */
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    enum class CloseChoice { Stop, Abort, Cancel };

    /** Creates and starts the engine (workers spawn in the background). */
    explicit MainWindow(engine::EngineConfig config, QWidget* parent = nullptr);
    ~MainWindow() override;

    /** Starts `plan` now when nothing runs, else puts it in the queue. False with a message when it cannot run. */
    bool startPlan(const plan::Plan& plan, QString* error = nullptr);
    /** Opens an HDF5 file in a new browser window. */
    browser::BrowserWindow* openInBrowser(const QString& path);
    /** Replaces the close question (a modal dialog by default), e.g. for tests. */
    void setCloseQuestion(std::function<CloseChoice()> ask) { closeQuestion_ = std::move(ask); }

    engine::Engine* engine() const { return engine_.get(); }
    plots::PlotPanel* plots() const { return plots_; }
    PlanEditor* planEditor() const { return planEditor_; }
    RunControls* runControls() const { return controls_; }
    DevicesDock* devicesDock() const { return devicesDock_; }
    QueueDock* queueDock() const { return queue_; }
    LogDock* logDock() const { return log_; }
    StatusPanel* statusPanel() const { return status_; }
    /** True once the workers described their devices. */
    bool isReady() const { return ready_; }
    bool isRunActive() const { return runActive_; }
    bool isShutDown() const { return engineDown_; }
    /** Shows `text` in the banner above the plots (e.g. a refused lab). */
    void showProblem(const QString& text);
    /** The banner above the plots (visible after a run that did not complete). */
    QString bannerText() const;
    /** How the last run ended (state Finished), or a default value before any. */
    const engine::RunProgress& lastFinished() const { return lastFinished_; }
    const engine::RunProgress& lastProgress() const { return lastProgress_; }

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void buildMenus();
    void buildDocks();
    void connectEngine();
    bool launch(const plan::Plan& plan, QString* error);
    void startFromEditor();
    void queueFromEditor();
    void launchNextQueued();
    void onProgress(const engine::RunProgress& p);
    void onFinished(const engine::RunProgress& p);
    CloseChoice askClose();
    void rebuildRecentFiles();

    std::unique_ptr<engine::Engine> engine_;
    plots::PlotPanel* plots_;
    PlanEditor* planEditor_ = nullptr;
    RunControls* controls_;
    DevicesDock* devicesDock_ = nullptr;
    QueueDock* queue_ = nullptr;
    LogDock* log_ = nullptr;
    StatusPanel* status_;
    QLabel* banner_;  // how the last run ended, when it did not complete
    QMenu* recentFiles_ = nullptr;
    QMenu* viewMenu_ = nullptr;
    std::function<CloseChoice()> closeQuestion_;
    quint64 activeRun_ = 0;
    engine::RunProgress lastProgress_;
    engine::RunProgress lastFinished_;
    bool ready_ = false;
    bool runActive_ = false;
    bool closing_ = false;
    bool engineDown_ = false;
    std::shared_ptr<spdlog::sinks::sink> logSink_;  // feeds log_ from any thread
};

}  // namespace acquila::ui::window
