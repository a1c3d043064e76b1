#pragma once
#include "core/engine/EngineConfig.h"

#include <QString>

namespace acquila::ui::window {

/**
 * The window's engine configuration for the lab file `labPath` (empty: the
 * built-in lab). An invalid lab is refused before any worker starts: the
 * configuration then has no devices and `labError` lists every problem, for
 * the window to show while it stays up.
 */
engine::EngineConfig windowConfig(const QString& labPath, QString* labError);

/**
 * The window application: `acquila` opens the main window on the default
 * simulated lab (`--lab CONFIG` for another), `acquila browse FILE` opens only
 * the HDF5 browser. Creates the QApplication; call from main() on the main thread.
 */
int uiMain(int argc, char** argv);

}  // namespace acquila::ui::window
