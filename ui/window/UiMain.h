#pragma once

namespace acquila::ui::window {

/**
 * The window application: `acquila` opens the main window on the default
 * simulated lab (`--lab CONFIG` for another), `acquila browse FILE` opens only
 * the HDF5 browser. Creates the QApplication; call from main() on the main thread.
 */
int uiMain(int argc, char** argv);

}  // namespace acquila::ui::window
