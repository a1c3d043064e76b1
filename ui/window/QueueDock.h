#pragma once
#include "core/plan/Plan.h"

#include <QDockWidget>
#include <optional>

class QCheckBox;
class QListWidget;

namespace acquila::ui::window {

/**
 * The run queue: plans waiting to run after the current one, which the user
 * can reorder, remove or move to the front ("run next"). The queue lives in
 * the GUI: plans go to the engine one at a time, so reordering never races
 * the engine. GUI thread only.
 */
class QueueDock : public QDockWidget {
    Q_OBJECT
public:
    explicit QueueDock(QWidget* parent = nullptr);

    void add(const plan::Plan& plan);
    /** Removes and returns the first plan, if any. */
    std::optional<plan::Plan> takeNext();
    int size() const { return static_cast<int>(plans_.size()); }
    QStringList names() const;
    /** Moves entry `from` to position `to`. */
    void move(int from, int to);
    void remove(int index);
    /** Whether to go on with the next plan after a run that did not complete. */
    bool continueAfterFailure() const;
    QListWidget* list() const { return list_; }

signals:
    /** The user wants the first queued plan to start now (if nothing runs). */
    void runNextRequested();
    void changed();

private:
    void refresh(int select);

    QListWidget* list_;
    QCheckBox* continueAfterFailure_;
    std::vector<plan::Plan> plans_;
};

}  // namespace acquila::ui::window
