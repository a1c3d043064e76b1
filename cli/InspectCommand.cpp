#include "cli/InspectCommand.h"

#include "cli/CliCommon.h"
#include "core/util/ChildExit.h"
#include "core/util/Programs.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <spawn.h>
#include <sys/wait.h>

extern char** environ;

namespace acquila::cli {

int inspectCommand(const QStringList& args) {
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "Prints a summary of an HDF5 run file: plan, status, points, detectors and shapes.\n"
        "Files still being written, or left by a crashed writer, are read in SWMR mode.\n"
        "The file is read by a separate process (acquila-reader): a file that crashes or\n"
        "hangs the HDF5 library is reported, never a hung or crashed command."));
    p.addHelpOption();
    p.addPositionalArgument(QStringLiteral("file"), QStringLiteral("HDF5 file."));
    const QCommandLineOption timeout(QStringLiteral("timeout"),
                                     QStringLiteral("Give up reading after this many seconds (default 30)."),
                                     QStringLiteral("seconds"), QStringLiteral("30"));
    p.addOption(timeout);
    if (!p.parse(args)) {
        std::fprintf(stderr, "acquila inspect: %s\n", qPrintable(p.errorText()));
        return kBadInput;
    }
    if (p.isSet(QStringLiteral("help"))) {
        std::printf("%s", qPrintable(p.helpText()));
        return kCompleted;
    }
    if (p.positionalArguments().size() != 1) {
        std::fprintf(stderr, "acquila inspect: expected exactly one file (see --help)\n");
        return kBadInput;
    }
    bool okNumber = false;
    const double seconds = p.value(timeout).toDouble(&okNumber);
    if (!okNumber || !(seconds > 0) || seconds > 86400) {
        std::fprintf(stderr, "acquila inspect: --timeout must be a number of seconds in (0, 86400], not '%s'\n",
                     qPrintable(p.value(timeout)));
        return kBadInput;
    }
    const QString file = p.positionalArguments().first();

    // The reader prints the summary (stdout) or the error (stderr) itself.
    std::fflush(stdout);
    const QByteArray exe = QFile::encodeName(util::helperProgram(QStringLiteral("acquila-reader"), "ACQUILA_READER"));
    const QByteArray fileArg = QFile::encodeName(file);
    char* argv[] = {const_cast<char*>(exe.constData()), const_cast<char*>("inspect"),
                    const_cast<char*>(fileArg.constData()), nullptr};
    pid_t pid = -1;
    if (const int err = ::posix_spawn(&pid, exe.constData(), nullptr, nullptr, argv, environ)) {
        std::fprintf(stderr, "acquila inspect: cannot start the HDF5 reader '%s': %s\n", exe.constData(),
                     std::strerror(err));
        return kFailed;
    }
    int status = 0;
    if (!util::reapChild(pid, std::chrono::milliseconds(qint64(seconds * 1000)), &status)) {
        ::kill(pid, SIGKILL);
        util::reapChild(pid, std::chrono::seconds(5), &status);
        std::fprintf(stderr,
                     "acquila inspect: reading '%s' gave no result within %g s (the HDF5 library may be stuck on "
                     "a damaged part of the file); the reader was stopped\n",
                     qPrintable(file), seconds);
        return kBadInput;
    }
    if (WIFSIGNALED(status)) {
        std::fprintf(stderr, "acquila inspect: the HDF5 reader %s while reading '%s' (a damaged file?)\n",
                     qPrintable(util::describeExit(status)), qPrintable(file));
        return kBadInput;
    }
    const int code = WEXITSTATUS(status);
    return code == 0 ? kCompleted : code == 2 ? kBadInput : kFailed;
}

}  // namespace acquila::cli
