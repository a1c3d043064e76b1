#pragma once
#include "ui/window/RunFormat.h"

#include <QWidget>

class QAction;
class QLabel;
class QProgressBar;

namespace acquila::ui::window {

/**
 * Start, Pause/Resume, Stop and Abort actions (F5, Space, Esc, Shift+Esc),
 * enabled only in the states where they apply, plus the progress strip:
 * done/total, elapsed, remaining, and the run's status and reason once it
 * ended. Emits requests; the main window forwards them to the engine.
 * GUI thread only.
 */
class RunControls : public QWidget {
    Q_OBJECT
public:
    explicit RunControls(QWidget* parent = nullptr);

    QAction* startAction() const { return start_; }
    /** Pause while running, Resume while paused (same action, Space). */
    QAction* pauseAction() const { return pause_; }
    QAction* stopAction() const { return stop_; }
    QAction* abortAction() const { return abort_; }

    /** Workers described their devices and no shutdown is under way. */
    void setReady(bool ready);
    void setProgress(const engine::RunProgress& progress);
    /** Shows a message in the status line (e.g. why a plan cannot start). */
    void setMessage(const QString& text, bool error);

    model::RunState state() const { return progress_.state; }
    QString statusText() const;
    QString progressLabelText() const;
    int progressValue() const;
    ControlEnables enables() const { return enables_; }

signals:
    void startRequested();
    void pauseRequested();
    void resumeRequested();
    void stopRequested();
    void abortRequested();

private:
    void apply();

    QAction* start_;
    QAction* pause_;
    QAction* stop_;
    QAction* abort_;
    QProgressBar* bar_;
    QLabel* progressLabel_;
    QLabel* status_;
    engine::RunProgress progress_;
    ControlEnables enables_;
    bool ready_ = false;
};

}  // namespace acquila::ui::window
