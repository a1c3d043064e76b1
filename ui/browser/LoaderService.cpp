#include "ui/browser/LoaderService.h"

#include <QCoreApplication>
#include <QThread>
#include <spdlog/spdlog.h>

namespace acquila::ui::browser {

namespace {
QThread* gThread = nullptr;  // GUI thread only
}  // namespace

QThread* LoaderService::thread() {
    if (gThread) return gThread;
    gThread = new QThread;
    gThread->setObjectName(QStringLiteral("browser-loader"));
    gThread->start();
    qAddPostRoutine(&LoaderService::stop);
    return gThread;
}

void LoaderService::stop() {
    if (!gThread) return;
    QThread* t = gThread;
    gThread = nullptr;
    qRemovePostRoutine(&LoaderService::stop);
    t->quit();
    if (t->wait(kStopWaitMs)) {
        delete t;
        return;
    }
    spdlog::error("the browser loader thread is still reading after {} s; leaving it to the exiting process",
                  kStopWaitMs / 1000.0);
}

}  // namespace acquila::ui::browser
