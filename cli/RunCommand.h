#pragma once
#include <QStringList>

namespace acquila::cli {

/**
 * `acquila run PLAN.json [--lab CONFIG] [--workers N] [--out DIR]`: runs a
 * plan headless on the same engine as the window, with a terminal progress
 * bar and a one-line summary. Ctrl-C once stops, twice aborts. Needs a
 * QCoreApplication; runs its event loop. Returns an ExitCode.
 */
int runCommand(const QStringList& args);

/** `acquila devices [--lab CONFIG]`: lists the lab's devices with their properties. */
int devicesCommand(const QStringList& args);

}  // namespace acquila::cli
