#include "ui/window/UiMain.h"

#include "core/util/Logging.h"
#include "ui/browser/BrowserWindow.h"
#include "ui/window/MainWindow.h"

#include <QApplication>
#include <QDir>
#include <QMessageBox>
#include <QStandardPaths>

namespace acquila::ui::window {

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
    auto labConfig = model::loadLabConfig(labPath);
    if (!labConfig) {
        QMessageBox::critical(nullptr, QObject::tr("Acquila"),
                              QObject::tr("The lab configuration could not be loaded:\n%1").arg(labConfig.error()));
        return 2;
    }
    engine::EngineConfig config;
    config.lab = *labConfig;
    config.workerExe = qEnvironmentVariableIsSet("ACQUILA_WORKER")
                           ? qEnvironmentVariable("ACQUILA_WORKER")
                           : QCoreApplication::applicationDirPath() + QStringLiteral("/acquila-worker");
    config.storage = true;
    config.dataDirectory =
        QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) + QStringLiteral("/acquila/data");
    QDir().mkpath(config.dataDirectory);

    MainWindow window(config);
    window.show();
    return QApplication::exec();
}

}  // namespace acquila::ui::window
