// acquila-reader: the process that makes the HDF5 reads of the files a user opens, for
// the browser and for `acquila inspect`, so that a file that crashes or hangs libhdf5
// costs a killed helper, not the window or the command (docs/architecture.md,
// "The reader process").
//
//   acquila-reader inspect FILE  prints the run summary of FILE, exit 0, or the error on
//                                stderr, exit 2
//   acquila-reader serve         the browser's reader (ui/browser/ReaderMain.h)
#include "core/storage/RunFileInspector.h"
#if ACQUILA_WITH_UI
#include "ui/browser/ReaderMain.h"
#endif

#include <csignal>
#include <cstdio>
#include <cstring>
#include <sys/prctl.h>
#include <unistd.h>

int main(int argc, char** argv) {
    // The app may die without closing our stdin (SIGKILL while we are stuck in libhdf5):
    // we die with the thread that started us.
    const pid_t parent = ::getppid();
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) return 1;
    ::signal(SIGINT, SIG_IGN);  // Ctrl-C belongs to the app, which stops us
    if (argc == 3 && std::strcmp(argv[1], "inspect") == 0) {
        auto summary = acquila::storage::inspectRunFile(QString::fromLocal8Bit(argv[2]));
        if (!summary) {
            std::fprintf(stderr, "%s\n", qPrintable(summary.error()));
            return 2;
        }
        std::printf("%s\n", qPrintable(acquila::storage::formatSummary(*summary)));
        return 0;
    }
#if ACQUILA_WITH_UI
    if (argc == 2 && std::strcmp(argv[1], "serve") == 0) return acquila::ui::browser::serveReader();
#endif
    std::fprintf(stderr,
                 "usage: acquila-reader inspect FILE | acquila-reader serve\n"
                 "acquila-reader makes the HDF5 reads of acquila inspect and of the acquila browser.\n");
    return 2;
}
