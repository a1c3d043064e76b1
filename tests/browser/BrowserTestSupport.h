#pragma once
#include "support/RunProcess.h"
#include "support/TestSupport.h"
#include <gtest/gtest.h>
#include <QApplication>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <memory>

namespace acquila::test {

/** Runs tests/tools/make_h5_corpus.py with `args`; fails the test on error. */
inline bool runCorpusTool(const QStringList& args, std::chrono::milliseconds timeout = std::chrono::minutes(10)) {
    const ProcessResult r = runProcess(kSystemPython, QStringList{sourcePath("tests/tools/make_h5_corpus.py")} + args, timeout);
    if (r.exitCode != 0) {
        ADD_FAILURE() << "make_h5_corpus.py " << args.join(' ').toStdString() << " failed: " << r.err.toStdString();
        return false;
    }
    return true;
}

/** A QApplication for widget tests (GTest::gtest_main owns main()). */
inline void ensureApplication() {
    static int argc = 1;
    static char name[] = "browser_test";
    static char* argv[] = {name, nullptr};
    if (!QCoreApplication::instance()) {
        QStandardPaths::setTestModeEnabled(true);  // keeps QSettings (recent files) out of the user's config
        QCoreApplication::setOrganizationName("AcquilaTest");
        QCoreApplication::setApplicationName("browser_test");
        new QApplication(argc, argv);
    }
}

/** The corpus written once per test process into a temporary directory. */
inline QString corpusDir() {
    static std::unique_ptr<QTemporaryDir> dir;
    if (!dir) {
        dir = std::make_unique<QTemporaryDir>();
        if (!runCorpusTool({dir->path()})) return {};
    }
    return dir->path();
}

}  // namespace acquila::test
