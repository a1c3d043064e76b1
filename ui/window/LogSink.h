#pragma once
#include "core/util/Mailbox.h"
#include "ui/window/LogDock.h"

#include <QCoreApplication>
#include <QPointer>
#include <spdlog/sinks/base_sink.h>

#include <mutex>

namespace acquila::ui::window {

/**
 * spdlog sink feeding the log dock. Any thread may log: lines go into a
 * bounded mailbox and reach the GUI thread in one queued delivery however many
 * are waiting; the logging thread never waits for the GUI. Beyond
 * `kLinesPerSecond` or `kBacklogLines` waiting, lines are dropped from the dock
 * (not from the run file) and a "N log lines dropped" line takes their place.
 * Lines of the form "[source] text" (engine, workers) keep their source;
 * others are the app's own.
 */
class LogSink : public spdlog::sinks::base_sink<std::mutex> {
public:
    static constexpr qint64 kBacklogLines = 2000;
    static constexpr qint64 kLinesPerSecond = 1000;

    explicit LogSink(LogDock* dock) : dock_(dock) {}

protected:
    void sink_it_(const spdlog::details::log_msg& msg) override {
        QString text = QString::fromUtf8(msg.payload.data(), static_cast<qsizetype>(msg.payload.size()));
        QString source = QStringLiteral("app");
        if (text.startsWith(QLatin1Char('['))) {
            const qsizetype end = text.indexOf(QLatin1String("] "));
            if (end > 0) {
                source = text.mid(1, end - 1);
                text = text.mid(end + 2);
            }
        }
        engine::LogEntry entry{QDateTime::currentDateTime(), static_cast<int>(msg.level), source, text};
        if (!box_->put(std::move(entry))) return;  // a delivery is already on its way
        // The pointer is only dereferenced on the GUI thread, where the dock lives and dies.
        if (QCoreApplication* app = QCoreApplication::instance())
            QMetaObject::invokeMethod(app, [dock = dock_, box = box_] { deliver(dock, *box); }, Qt::QueuedConnection);
    }
    void flush_() override {}

private:
    using Box = util::Mailbox<engine::LogEntry>;

    static void deliver(const QPointer<LogDock>& dock, Box& box) {
        auto taken = box.take();
        if (!dock) return;
        dock->append(taken.items);
        if (taken.dropped > 0)
            dock->append(engine::LogEntry{QDateTime::currentDateTime(), 3, QStringLiteral("app"),
                                          QStringLiteral("%1 log lines dropped").arg(taken.dropped)});
    }

    QPointer<LogDock> dock_;  // copied under base_sink's mutex, dereferenced on the GUI thread only
    std::shared_ptr<Box> box_ = std::make_shared<Box>(Box::Limits{kBacklogLines, kLinesPerSecond});
};

}  // namespace acquila::ui::window
