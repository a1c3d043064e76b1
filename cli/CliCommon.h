#pragma once
#include "core/engine/EngineConfig.h"
#include "core/util/Result.h"

#include <QString>
#include <QStringList>

namespace acquila::cli {

/** Exit codes of the headless commands. */
enum ExitCode { kCompleted = 0, kFailed = 1, kBadInput = 2, kStopped = 3 };

/** Path of acquila-worker: $ACQUILA_WORKER, else beside this executable. */
QString workerExecutable();
/** The per-user data directory for run files (created if missing). */
QString defaultDataDirectory();
/** Builds an engine configuration from common options; errors name the lab file. */
util::Result<engine::EngineConfig> engineConfig(const QString& labPath, int workers);

}  // namespace acquila::cli
