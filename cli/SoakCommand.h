#pragma once
#include <QStringList>

namespace acquila::cli {

/**
 * `acquila soak [--seconds N] [--plan PLAN.json] [--interval S] [--warmup S]
 * [--max-rss-growth PCT] [--lab CONFIG] [--workers N] [--out DIR] [--no-file]`: runs the
 * plan (default: a 200-point motor scan with diode and spectrometer, written
 * to a temporary directory removed at the end) back to back for N seconds on
 * the engine of `acquila run`, samples the resident memory and open file
 * descriptors of the app and every process under it from /proc, and prints
 * the figures as JSON on stdout. Returns 0 when every run completed and, after
 * the warm-up, no process's peak RSS grew by more than PCT percent between the
 * first and second half of the remaining time, the peak descriptor count of
 * none grew, and the set of child processes stayed the same; 1 otherwise;
 * 2 on bad input. Needs a QCoreApplication; runs its event loop.
 */
int soakCommand(const QStringList& args);

}  // namespace acquila::cli
