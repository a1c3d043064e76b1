#pragma once
#include "ui/window/LogDock.h"

#include <QCoreApplication>
#include <QPointer>
#include <spdlog/sinks/base_sink.h>

#include <mutex>

namespace acquila::ui::window {

/**
 * spdlog sink feeding the log dock. Any thread may log: the line is handed to
 * the GUI thread with a queued call and the logging thread never waits for
 * the GUI. Lines of the form "[source] text" (engine, workers) keep their
 * source; others are the app's own.
 */
class LogSink : public spdlog::sinks::base_sink<std::mutex> {
public:
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
        // The pointer is only dereferenced on the GUI thread, where the dock lives and dies.
        if (QCoreApplication* app = QCoreApplication::instance())
            QMetaObject::invokeMethod(app, [dock = dock_, entry] { if (dock) dock->append(entry); }, Qt::QueuedConnection);
    }
    void flush_() override {}

private:
    QPointer<LogDock> dock_;  // copied under base_sink's mutex, dereferenced on the GUI thread only
};

}  // namespace acquila::ui::window
