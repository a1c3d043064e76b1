#include "ui/window/RunControls.h"

#include <QAction>
#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QStyle>

namespace acquila::ui::window {

RunControls::RunControls(QWidget* parent) : QWidget(parent) {
    start_ = new QAction(style()->standardIcon(QStyle::SP_MediaPlay), tr("Start"), this);
    start_->setShortcut(Qt::Key_F5);
    start_->setToolTip(tr("Start the plan in the editor (F5)"));
    pause_ = new QAction(style()->standardIcon(QStyle::SP_MediaPause), tr("Pause"), this);
    pause_->setShortcut(Qt::Key_Space);
    pause_->setToolTip(tr("Pause after the points in flight, or resume (Space)"));
    stop_ = new QAction(style()->standardIcon(QStyle::SP_MediaStop), tr("Stop"), this);
    stop_->setShortcut(Qt::Key_Escape);
    stop_->setToolTip(tr("Finish the points in flight, keep the data, end the run (Esc)"));
    abort_ = new QAction(style()->standardIcon(QStyle::SP_BrowserStop), tr("Abort"), this);
    abort_->setShortcut(QKeySequence(Qt::SHIFT | Qt::Key_Escape));
    abort_->setToolTip(tr("Cancel now; completed points are kept (Shift+Esc)"));
    for (QAction* a : {start_, pause_, stop_, abort_}) a->setShortcutContext(Qt::WindowShortcut);
    connect(start_, &QAction::triggered, this, [this] { if (enables_.start) emit startRequested(); });
    connect(pause_, &QAction::triggered, this, [this] {
        if (enables_.pause) emit pauseRequested();
        else if (enables_.resume) emit resumeRequested();
    });
    connect(stop_, &QAction::triggered, this, [this] { if (enables_.stop) emit stopRequested(); });
    connect(abort_, &QAction::triggered, this, [this] { if (enables_.abort) emit abortRequested(); });

    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(8, 0, 8, 0);
    bar_ = new QProgressBar(this);
    bar_->setMinimumWidth(220);
    bar_->setMaximumWidth(360);
    bar_->setFormat(QStringLiteral("%p%"));
    bar_->setValue(0);
    progressLabel_ = new QLabel(this);
    status_ = new QLabel(tr("Waiting for the workers…"), this);
    status_->setWordWrap(false);
    status_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    status_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    layout->addWidget(bar_);
    layout->addWidget(progressLabel_);
    layout->addSpacing(12);
    layout->addWidget(status_, 1);
    apply();
}

void RunControls::setReady(bool ready) {
    ready_ = ready;
    apply();
}

void RunControls::setProgress(const engine::RunProgress& p) {
    // After a finished run the engine reports Idle; keep showing how the run ended.
    if (p.state == model::RunState::Idle && progress_.state == model::RunState::Finished) {
        progress_.queued = p.queued;
        apply();
        return;
    }
    progress_ = p;
    bar_->setMaximum(static_cast<int>(qMin<qint64>(p.total > 0 ? p.total : 1, 1'000'000'000)));
    bar_->setValue(static_cast<int>(qMin<qint64>(p.done, bar_->maximum())));
    progressLabel_->setText(p.total > 0 ? progressText(p) : QString());
    const bool failed = p.state == model::RunState::Finished && p.status != model::RunStatus::Completed;
    setMessage(runStatusText(p), failed);
    apply();
}

void RunControls::setMessage(const QString& text, bool error) {
    status_->setText(text);
    status_->setToolTip(text);
    status_->setStyleSheet(error ? QStringLiteral("color: #b00020; font-weight: bold;") : QString());
}

void RunControls::apply() {
    enables_ = controlEnables(progress_.state, ready_);
    start_->setEnabled(enables_.start);
    pause_->setEnabled(enables_.pause || enables_.resume);
    pause_->setText(enables_.resume ? tr("Resume") : tr("Pause"));
    pause_->setIcon(style()->standardIcon(enables_.resume ? QStyle::SP_MediaPlay : QStyle::SP_MediaPause));
    stop_->setEnabled(enables_.stop);
    abort_->setEnabled(enables_.abort);
}

QString RunControls::statusText() const { return status_->text(); }
QString RunControls::progressLabelText() const { return progressLabel_->text(); }
int RunControls::progressValue() const { return bar_->value(); }

}  // namespace acquila::ui::window
