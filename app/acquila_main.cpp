// acquila: the window (no arguments) and the headless subcommands.
#include "cli/CliCommon.h"
#include "cli/InspectCommand.h"
#include "cli/RunCommand.h"
#include "cli/SetCommand.h"
#include "cli/SignalPipe.h"
#include "cli/SoakCommand.h"
#include "core/util/Logging.h"

#include <QCoreApplication>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <memory>

#ifdef ACQUILA_WITH_UI
#include "ui/window/UiMain.h"
#endif

namespace {
void printUsage() {
    std::printf(
        "usage: acquila [COMMAND] [OPTIONS]\n"
        "\n"
        "Without a command, opens the window on the simulated lab.\n"
        "\n"
        "commands:\n"
        "  run PLAN.json     run a plan headless (progress bar, summary, HDF5 file)\n"
        "  devices           list the lab's devices and their properties\n"
        "  set TARGET VALUE  set a property (DEVICE.PROPERTY) or move an axis now, outside a run\n"
        "  get TARGET        print a property (DEVICE.PROPERTY) or an axis position with its unit\n"
        "  inspect FILE.h5   print a summary of a run file\n"
        "  browse FILE.h5    open the HDF5 browser on a file\n"
        "  soak              run scans back to back, report memory, descriptors, processes\n"
        "\n"
        "options:\n"
        "  --version         print the version\n"
        "  --help            this text; COMMAND --help for a command's options\n");
}
}  // namespace

int main(int argc, char** argv) {
    const char* cmd = argc > 1 ? argv[1] : "";
    // Before anything else: a Ctrl-C during start-up stops the run instead of killing the app.
    // The launcher (app/launcher.c) started us with SIGINT and SIGTERM blocked, so one that
    // came while the libraries loaded is pending: it reaches the handler when unblocked here.
    if (!std::strcmp(cmd, "run")) acquila::cli::installInterruptHandler();
    sigset_t startup;
    sigemptyset(&startup);
    sigaddset(&startup, SIGINT);
    sigaddset(&startup, SIGTERM);
    sigprocmask(SIG_UNBLOCK, &startup, nullptr);
    if (!std::strcmp(cmd, "--version") || !std::strcmp(cmd, "-v")) {
        std::printf("acquila %s\n", ACQUILA_VERSION);
        return 0;
    }
    if (!std::strcmp(cmd, "--help") || !std::strcmp(cmd, "-h") || !std::strcmp(cmd, "help")) {
        printUsage();
        return 0;
    }
    const bool setOrGet = !std::strcmp(cmd, "set") || !std::strcmp(cmd, "get");
    const bool headless = !std::strcmp(cmd, "run") || !std::strcmp(cmd, "devices") || !std::strcmp(cmd, "inspect") ||
                          !std::strcmp(cmd, "soak") || setOrGet;
    if (headless) {
        QCoreApplication app(argc, argv);
        QCoreApplication::setApplicationName(QStringLiteral("acquila"));
        QCoreApplication::setApplicationVersion(QStringLiteral(ACQUILA_VERSION));
        const bool verbose = qEnvironmentVariableIsSet("ACQUILA_VERBOSE");
        // set and get report their outcome themselves, in one line: the console log shows only the critical.
        acquila::util::initLogging(QStringLiteral("acquila"), verbose ? 2 : setOrGet ? 5 : 3);
        QStringList args = app.arguments();
        args.removeAt(1);  // "acquila run x" parses like "acquila x"
        if (!std::strcmp(cmd, "run")) return acquila::cli::runCommand(args);
        if (!std::strcmp(cmd, "devices")) return acquila::cli::devicesCommand(args);
        if (!std::strcmp(cmd, "soak")) return acquila::cli::soakCommand(args);
        if (!std::strcmp(cmd, "set")) return acquila::cli::setCommand(args);
        if (!std::strcmp(cmd, "get")) return acquila::cli::getCommand(args);
        return acquila::cli::inspectCommand(args);
    }
#ifdef ACQUILA_WITH_UI
    return acquila::ui::window::uiMain(argc, argv);
#else
    if (cmd[0]) std::fprintf(stderr, "acquila: unknown command '%s'\n\n", cmd);
    printUsage();
    return cmd[0] ? 2 : 0;
#endif
}
