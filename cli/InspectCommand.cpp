#include "cli/InspectCommand.h"

#include "cli/CliCommon.h"
#include "core/storage/RunFileInspector.h"

#include <QCommandLineParser>
#include <cstdio>

namespace acquila::cli {

int inspectCommand(const QStringList& args) {
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "Prints a summary of an HDF5 run file: plan, status, points, detectors and shapes.\n"
        "Files still being written, or left by a crashed writer, are read in SWMR mode."));
    p.addHelpOption();
    p.addPositionalArgument(QStringLiteral("file"), QStringLiteral("HDF5 file."));
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
    auto summary = storage::inspectRunFile(p.positionalArguments().first());
    if (!summary) {
        std::fprintf(stderr, "%s\n", qPrintable(summary.error()));
        return kBadInput;
    }
    std::printf("%s\n", qPrintable(storage::formatSummary(*summary)));
    return kCompleted;
}

}  // namespace acquila::cli
