#include "cli/CliCommon.h"

#include "core/util/Programs.h"

#include <QCoreApplication>
#include <QDir>
#include <QStandardPaths>

namespace acquila::cli {

QString workerExecutable() { return util::helperProgram(QStringLiteral("acquila-worker"), "ACQUILA_WORKER"); }

QString defaultDataDirectory() {
    QString base = QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation);
    if (base.isEmpty()) base = QDir::homePath() + QStringLiteral("/.local/share");
    const QString dir = base + QStringLiteral("/acquila/data");
    QDir().mkpath(dir);
    return dir;
}

util::Result<engine::EngineConfig> engineConfig(const QString& labPath, int workers) {
    auto lab = model::loadLabConfig(labPath);
    if (!lab) return util::Result<engine::EngineConfig>::failure(lab.error());
    engine::EngineConfig c;
    c.workerExe = workerExecutable();
    c.workers = workers;
    c.lab = *lab;
    return c;
}

}  // namespace acquila::cli
