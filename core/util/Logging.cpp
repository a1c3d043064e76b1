#include "core/util/Logging.h"

#include <QDir>
#include <QStandardPaths>
#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

namespace acquila::util {

QString logDirectory() {
    QString base = QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation);
    if (base.isEmpty()) base = QDir::homePath() + QStringLiteral("/.local/share");
    const QString dir = base + QStringLiteral("/acquila/logs");
    QDir().mkpath(dir);
    return dir;
}

QString initLogging(const QString& processName, int consoleLevel, bool toFile) {
    std::vector<spdlog::sink_ptr> sinks;
    auto console = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
    console->set_level(static_cast<spdlog::level::level_enum>(consoleLevel));
    console->set_pattern("%H:%M:%S.%e %^%l%$ %v");
    sinks.push_back(console);
    QString path;
    if (toFile) {
        path = logDirectory() + QLatin1Char('/') + processName + QStringLiteral(".log");
        try {
            auto file = std::make_shared<spdlog::sinks::rotating_file_sink_mt>(path.toStdString(), 5 * 1024 * 1024, 5);
            file->set_level(spdlog::level::debug);
            sinks.push_back(file);
        } catch (const spdlog::spdlog_ex&) {
            path.clear();  // an unwritable log directory must not stop the application
        }
    }
    auto logger = std::make_shared<spdlog::logger>(processName.toStdString(), sinks.begin(), sinks.end());
    logger->set_level(spdlog::level::debug);
    logger->flush_on(spdlog::level::warn);
    spdlog::set_default_logger(logger);
    return path;
}

void addLogSink(std::shared_ptr<spdlog::sinks::sink> sink) { spdlog::default_logger()->sinks().push_back(std::move(sink)); }

void removeLogSink(const std::shared_ptr<spdlog::sinks::sink>& sink) { std::erase(spdlog::default_logger()->sinks(), sink); }

}  // namespace acquila::util
