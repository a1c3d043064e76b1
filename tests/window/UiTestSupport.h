#pragma once
#include "support/EngineHarness.h"
#include "support/TestSupport.h"

#include "ui/window/MainWindow.h"
#include "ui/window/PlanEditor.h"

#include <QApplication>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <gtest/gtest.h>
#include <functional>
#include <memory>

namespace acquila::test {

/** A QApplication for the whole test program and a fresh main window per test, on real workers. */
class UiFixture : public ::testing::Test {
public:
    static void SetUpTestSuite() {
        static int argc = 1;
        static char name[] = "acquila-ui-test";
        static char* argv[] = {name, nullptr};
        if (!QCoreApplication::instance()) new QApplication(argc, argv);
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("AcquilaTest"));
        QCoreApplication::setApplicationName(QStringLiteral("acquila-ui-test"));
    }

protected:
    std::unique_ptr<ui::window::MainWindow> makeWindow(int workers = 2, bool storage = true,
                                                       const std::function<void(engine::EngineConfig&)>& adjust = {}) {
        engine::EngineConfig c;
        c.workerExe = test::workerExecutable();
        c.workers = workers;
        auto lab = model::loadLabConfig(QString());
        EXPECT_TRUE(lab.ok());
        c.lab = *lab;
        c.storage = storage;
        c.dataDirectory = dataDir_.path();
        if (adjust) adjust(c);
        auto w = std::make_unique<ui::window::MainWindow>(c);
        w->resize(1400, 900);
        w->show();
        EXPECT_TRUE(waitUntil([&] { return w->isReady(); }, std::chrono::seconds(30))) << "workers never described their devices";
        return w;
    }

    /** Closes the window (aborting any run) and waits until the engine has shut down. */
    static void closeWindow(ui::window::MainWindow& w) {
        w.setCloseQuestion([] { return ui::window::MainWindow::CloseChoice::Abort; });
        w.close();
        EXPECT_TRUE(waitUntil([&] { return w.isShutDown() && !w.isVisible(); }, std::chrono::seconds(30)));
    }

    static plan::Plan planFile(const QString& name) {
        auto p = plan::loadPlanFile(sourcePath(QStringLiteral("resources/plans/") + name));
        EXPECT_TRUE(p.ok()) << p.error().toStdString();
        return p.ok() ? *p : plan::Plan{};
    }

    static plan::Plan planJson(const QByteArray& json) { return EngineHarness::plan(json); }

    /** Loads a plan file into the editor (read off the GUI thread) and waits for it; false with `*error`. */
    static bool loadPlan(ui::window::PlanEditor& editor, const QString& path, QString* error) {
        bool done = false;
        QString message;
        const auto c = QObject::connect(&editor, &ui::window::PlanEditor::fileLoaded, [&](const QString&, const QString& e) {
            done = true;
            message = e;
        });
        editor.loadFile(path);
        if (!waitUntil([&] { return done; }, std::chrono::seconds(30))) message = QStringLiteral("the plan was not loaded within 30 s");
        QObject::disconnect(c);
        *error = message;
        return message.isEmpty();
    }

    QTemporaryDir dataDir_;
};

}  // namespace acquila::test
