#include "ui/window/UiMain.h"

#include "core/util/Logging.h"
#include "core/util/Programs.h"
#include "ui/browser/BrowserWindow.h"
#include "ui/window/MainWindow.h"

#include <QApplication>
#include <QDir>
#include <QStandardPaths>
#include <cstdio>

namespace acquila::ui::window {

engine::EngineConfig windowConfig(const QString& labPath, QString* labError) {
    engine::EngineConfig config;
    config.workerExe = util::helperProgram(QStringLiteral("acquila-worker"), "ACQUILA_WORKER");
    auto lab = model::loadLabConfig(labPath);
    if (!lab) {
        *labError = lab.error();
        config.workers = 1;  // no devices: one idle worker, no files
        return config;
    }
    config.lab = *lab;
    config.storage = true;
    config.dataDirectory =
        QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) + QStringLiteral("/acquila/data");
    QDir().mkpath(config.dataDirectory);
    return config;
}

int uiMain(int argc, char** argv) {
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("acquila"));
    QApplication::setOrganizationName(QStringLiteral("Acquila"));
    util::initLogging(QStringLiteral("acquila"), 3);
    const QStringList args = app.arguments();

    if (args.size() > 1 && args[1] == QLatin1String("browse")) {
        browser::BrowserWindow browser;
        browser.resize(1200, 800);
        browser.show();
        if (args.size() > 2) browser.openFile(args[2]);
        return QApplication::exec();
    }

    QString labPath;
    const qsizetype lab = args.indexOf(QStringLiteral("--lab"));
    if (lab > 0 && lab + 1 < args.size()) labPath = args[lab + 1];
    QString labError;
    const engine::EngineConfig config = windowConfig(labPath, &labError);
    MainWindow window(config);
    window.show();
    if (!labError.isEmpty()) std::fprintf(stderr, "%s\n", qPrintable(labError));
    if (!labError.isEmpty()) window.showProblem(QObject::tr("The lab configuration was refused; no devices are open.\n%1").arg(labError));
    return QApplication::exec();
}

}  // namespace acquila::ui::window
