#pragma once
#include <QString>
#include <memory>
#include <spdlog/sinks/sink.h>

namespace acquila::util {

/**
 * Sets up spdlog for a process: console (stderr) at `consoleLevel` and a
 * rotating file in the per-user log directory (5 files of 5 MiB). Call once
 * from main() before any thread starts. Returns the log file path or empty.
 */
QString initLogging(const QString& processName, int consoleLevel, bool toFile = true);
/** Adds a sink to the default logger (e.g. the GUI log panel's). Call before other threads log. */
void addLogSink(std::shared_ptr<spdlog::sinks::sink> sink);
/** Removes a sink added with addLogSink(). Call when no other thread logs. */
void removeLogSink(const std::shared_ptr<spdlog::sinks::sink>& sink);
/** The per-user log directory (created if missing). */
QString logDirectory();

}  // namespace acquila::util
