#pragma once
#include <QStringList>

namespace acquila::cli {

/** `acquila inspect FILE.h5`: prints a short summary of a run file (plan, status, points, detectors). */
int inspectCommand(const QStringList& args);

}  // namespace acquila::cli
