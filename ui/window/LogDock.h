#pragma once
#include "core/engine/EngineTypes.h"

#include <QDockWidget>
#include <deque>

class QComboBox;
class QLineEdit;
class QPlainTextEdit;

namespace acquila::ui::window {

/**
 * Log lines of the engine and the workers (and of this process through
 * LogSink), with a minimum-level filter and a text search. Keeps the last
 * 20,000 lines. GUI thread only.
 */
class LogDock : public QDockWidget {
    Q_OBJECT
public:
    explicit LogDock(QWidget* parent = nullptr);

    void append(const engine::LogEntry& entry);
    /** Appends many lines with one update of the text view. */
    void append(const std::vector<engine::LogEntry>& entries);
    void setMinimumLevel(int level);
    void setSearch(const QString& text);
    /** Lines currently shown (after filter and search). */
    QStringList visibleLines() const;
    int lineCount() const { return static_cast<int>(entries_.size()); }

private:
    bool accepts(const engine::LogEntry& e) const;
    static QString format(const engine::LogEntry& e);
    void rebuild();

    QComboBox* level_;
    QLineEdit* search_;
    QPlainTextEdit* text_;
    std::deque<engine::LogEntry> entries_;
};

}  // namespace acquila::ui::window
